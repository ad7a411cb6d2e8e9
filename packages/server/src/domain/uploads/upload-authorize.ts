/**
 * Step 1 of every upload, whatever its front door (the API form, the web form, tus):
 * who uploads, and how much they may. A ticket from upload.getInfo is checked (signature,
 * expiry), its account read again and the plan's rules applied once more, since a ticket
 * may be used long after it was issued.
 */
import type { UserRow } from '../../metadata/repositories/users.js';
import type { UsersRepository } from '../../metadata/repositories/users.js';
import type { Secrets } from '../../lib/crypto.js';
import type { Clock } from '../clock.js';
import { UploadRefused } from './upload-errors.js';
import { isRefusal, uploadAllowance, type Allowance, type UploadLimitsConfig } from './upload-limits.js';
import { readTicket, type UploadTicket } from './upload-ticket.js';

/** What an authorized upload may do; handed to the store and commit steps. */
export interface UploadGrant {
  ticket: UploadTicket;
  /** The account, read at authorization; null for an anonymous upload. */
  user: UserRow | null;
  allowance: Allowance;
}

export interface UploadAuthorizeDeps {
  config: UploadLimitsConfig;
  users: Pick<UsersRepository, 'findById'>;
  secrets: Secrets;
  clock: Clock;
}

/** The grant for `credential` (an upload identifier or extra_info); UploadRefused if there is none. */
export async function authorizeUpload(d: UploadAuthorizeDeps, credential: string | undefined): Promise<UploadGrant> {
  if (credential === undefined)
    throw new UploadRefused('No upload identifier: post to the url from upload.getInfo, or send extra_info before the file');
  const now = d.clock.now();
  const ticket = readTicket(d.secrets, credential, now);
  if (!ticket) throw new UploadRefused('The upload identifier (extra_info) is not valid or has expired: call upload.getInfo again');
  const user = ticket.owner === null ? null : ((await d.users.findById(ticket.owner)) ?? null);
  if (ticket.owner !== null && !user) throw new UploadRefused('This account does not exist any more');
  const allowance = uploadAllowance(user, d.config, now);
  if (isRefusal(allowance)) throw new UploadRefused(allowance.text);
  return { ticket, user, allowance };
}

/**
 * The most the next part of an upload may hold: the smallest of the ticket's and the
 * plan's per-file limit, the form's MAX_FILE_SIZE, and the disk space left once the
 * parts already stored are counted. `disk` says which kind of limit it is, for the text.
 */
export function partLimit(grant: UploadGrant, opts: { formMax?: number | undefined; storedBytes: number }): PartLimit {
  let bytes = Math.min(grant.ticket.maxFileSize, grant.allowance.maxFileSize);
  if (opts.formMax !== undefined) bytes = Math.min(bytes, opts.formMax);
  if (grant.allowance.diskLeft >= 0) {
    const left = Math.max(0, grant.allowance.diskLeft - opts.storedBytes);
    if (left < bytes) return { bytes: left, disk: true };
  }
  return { bytes, disk: false };
}

export interface PartLimit {
  bytes: number;
  /** True when the limit is the disk space left (else a per-file size limit). */
  disk: boolean;
}
