/**
 * sbay's exit codes, stable for scripts (documented in `sbay --help` and docs/cli.md).
 * Each error class of the SDK maps to one of them.
 */
import { SendbayApiError, SendbayNetworkError, SendbayProtocolError, SendbayTransferError } from '@sendbay/client';

export const EXIT = {
  ok: 0,
  /** Anything not listed below. */
  error: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Not logged in, wrong password, session expired. */
  auth: 3,
  /** An id, link, folder or contact that does not exist. */
  notFound: 4,
  /** The server could not be reached, or is not a sendspace API. */
  network: 5,
  /** An upload or download failed or its checksum did not match. */
  transfer: 6,
  /** The server refused the call (permissions, limits, bad values). */
  refused: 7,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  other error
  2  usage error (unknown command or option, missing argument)
  3  not logged in, wrong password or session expired
  4  not found (file, folder, link or contact)
  5  server unreachable, or not a sendspace API
  6  upload or download failed, or checksum mismatch
  7  refused by the server (permission, limits, invalid value)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Not logged in (no saved session and no way to make one). */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

const NOT_FOUND = new Set([9, 10, 26, 29]);
const AUTH = new Set([3, 6, 7, 8, 22]);

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof AuthError) return EXIT.auth;
  if (err instanceof NotFoundError) return EXIT.notFound;
  if (err instanceof SendbayApiError) return NOT_FOUND.has(err.code) ? EXIT.notFound : AUTH.has(err.code) ? EXIT.auth : EXIT.refused;
  if (err instanceof SendbayNetworkError || err instanceof SendbayProtocolError) return EXIT.network;
  if (err instanceof SendbayTransferError) return EXIT.transfer;
  return EXIT.error;
}

/** One line for a person: what failed, without a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof SendbayApiError) {
    const ids = err.ids.length ? ` (${err.ids.join(', ')})` : '';
    if (err.code === 6 || err.code === 7) return `session expired or not valid: run sbay login again${ids}`;
    if (err.code === 8) return 'wrong e-mail or password';
    return `${err.text}${ids} [${err.specName}]`;
  }
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
