/**
 * Who may upload, and how much: the rules shared by upload.getInfo (which answers with
 * the spec's error codes) and the upload POST (which re-checks them, since a ticket may
 * be used long after it was issued).
 */
import type { Config } from '../../config.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import { accountStatus, type AccountStatus } from '../account-status.js';

/** Clients of the lite plan read `max_file_size` into a signed 32-bit int. */
export const INT32_MAX = 2_147_483_647;

export type UploadLimitsConfig = Pick<Config, 'plans' | 'anonymousMaxFileSize'>;

export interface Allowance {
  /** Bytes per file, a plain integer (never -1). */
  maxFileSize: number;
  /** Bytes of storage left; -1 unlimited. */
  diskLeft: number;
  /** The account's figures, for the answer's bandwidth_left / diskspace_left. */
  status?: AccountStatus;
}

export type Refusal = { code: 11 | 19 | 20; text: string };

export function uploadAllowance(user: UserRow | null, config: UploadLimitsConfig, now: number): Allowance | Refusal {
  if (user === null) {
    // Anonymous uploads are made by the simplest clients: keep the limit int32-safe.
    const max = config.anonymousMaxFileSize < 0 ? INT32_MAX : Math.min(config.anonymousMaxFileSize, INT32_MAX);
    return { maxFileSize: max, diskLeft: -1 };
  }
  const status = accountStatus(user, config.plans, now);
  if (user.disabled) return { code: 11, text: 'This account is disabled' };
  if (!status.limits.capableUpload) return { code: 11, text: `The ${status.plan} plan cannot upload files` };
  if (status.expired) return { code: 19, text: 'Your membership has expired: renew it to upload' };
  if (status.diskspaceLeft === 0) return { code: 20, text: 'You have reached your disk space limit' };
  let max = status.limits.maxFileSize < 0 ? Number.MAX_SAFE_INTEGER : status.limits.maxFileSize;
  if (status.plan === 'lite') max = Math.min(max, INT32_MAX);
  return { maxFileSize: max, diskLeft: status.diskspaceLeft, status };
}

export function isRefusal(a: Allowance | Refusal): a is Refusal {
  return 'code' in a;
}
