/**
 * Where a file stands with its limits, as pure functions of its row and the time.
 * The database repeats the same tests in its conditional updates (see
 * repositories/downloads.ts); these decide what to show and when to act.
 */
import type { FileRow } from '../../metadata/repositories/files.js';

type LimitFields = Pick<FileRow, 'downloads' | 'download_limit' | 'limit_expires_at'>;

/** The download limit is used up or the time limit has passed. */
export function limitReached(file: LimitFields, now: number): boolean {
  return (
    (file.download_limit !== null && file.downloads >= file.download_limit) ||
    (file.limit_expires_at !== null && file.limit_expires_at <= now)
  );
}

/**
 * Whether the file may be served. Reaching a limit always stops downloads, whatever its
 * action (0 none, 1 block, 3 move): a limit the owner set means "no more than this";
 * the owner re-opens the file by raising or clearing the limit.
 */
export function servable(file: LimitFields & Pick<FileRow, 'blocked'>, now: number): boolean {
  return file.blocked === 0 && !limitReached(file, now);
}

/**
 * Anonymous files live `expiryDays` after their last download (or their upload, if
 * never downloaded). 0 days means they never expire.
 */
export function anonymousExpired(
  file: Pick<FileRow, 'owner_id' | 'last_download_at' | 'upload_time'>,
  now: number,
  expiryDays: number,
): boolean {
  if (file.owner_id !== null || expiryDays <= 0) return false;
  return (file.last_download_at ?? file.upload_time) <= anonymousCutoff(now, expiryDays);
}

/** Files idle since this time (inclusive) have expired. */
export function anonymousCutoff(now: number, expiryDays: number): number {
  return now - expiryDays * 86_400;
}
