/**
 * The upload ticket that upload.getInfo hands out, signed with the server secret. It
 * binds an upload to its account (or "anonymous"), the per-file size limit, the speed
 * limit and an expiry, so the upload POST needs no server-side state and works on any
 * node.
 *
 * The same string is handed out as `upload_identifier` (which also names the upload in
 * its `url` path and `progress_url`) and as `extra_info`: clients identify an upload by
 * either one, from the URL path, the query or the form, and the URL alone must be
 * enough because text fields may arrive after the file. When several are sent they must
 * be the same string. Only `[A-Za-z0-9._-]` is used (curl `-F` treats `@`, `<`, `;`
 * specially), and it stays well under the router's 100-character parameter limit.
 */
import { randomKey, type Secrets } from '../../lib/crypto.js';

export interface UploadTicket {
  /** The exact string handed out. */
  value: string;
  /** Account id, or null for an anonymous upload. */
  owner: string | null;
  /** Bytes per file. */
  maxFileSize: number;
  /** KB per second; 0 for no limit. */
  speedLimitKb: number;
  /** Unix seconds. */
  expires: number;
}

const PURPOSE = 'upload-ticket';
const ANONYMOUS = 'anonymous';
const SIGNATURE_LENGTH = 22;
const TICKET_RE = /^([a-z0-9]{10})\.([a-z0-9]{1,40})\.([0-9a-z]{1,11})\.([0-9a-z]{1,8})\.([0-9a-z]{1,8})\.([A-Za-z0-9_-]{22})$/;

export function issueTicket(secrets: Secrets, t: Omit<UploadTicket, 'value'>): UploadTicket {
  const payload = [
    randomKey(10),
    t.owner ?? ANONYMOUS,
    t.maxFileSize.toString(36),
    t.speedLimitKb.toString(36),
    t.expires.toString(36),
  ].join('.');
  return { ...t, value: `${payload}.${secrets.sign(PURPOSE, payload, SIGNATURE_LENGTH)}` };
}

/** The ticket if `value` is one this server signed and it has not expired; else undefined. */
export function readTicket(secrets: Secrets, value: string, now: number): UploadTicket | undefined {
  const m = TICKET_RE.exec(value);
  if (!m) return undefined;
  const [, , owner, max, speed, expires, signature] = m as unknown as string[];
  const payload = value.slice(0, value.length - SIGNATURE_LENGTH - 1);
  if (!secrets.verify(PURPOSE, payload, signature as string, SIGNATURE_LENGTH)) return undefined;
  const ticket: UploadTicket = {
    value,
    owner: owner === ANONYMOUS ? null : (owner as string),
    maxFileSize: parseInt(max as string, 36),
    speedLimitKb: parseInt(speed as string, 36),
    expires: parseInt(expires as string, 36),
  };
  return ticket.expires > now ? ticket : undefined;
}

/**
 * Whether an (unverified) ticket names an anonymous upload. Used only to pick the answer
 * format of a failed upload, never to grant anything.
 */
export function looksAnonymous(value: string): boolean {
  return value.split('.')[1] === ANONYMOUS;
}
