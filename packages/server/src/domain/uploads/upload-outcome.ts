/** What an upload ends with, before the HTTP layer turns it into the spec's answer. */

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  downloadUrl: string;
  deleteUrl: string;
}

export interface UploadOutcome {
  status: 'ok' | 'fail';
  /** Anonymous uploads answer `<upload_done>` XML; session uploads plain text. */
  anonymous: boolean;
  /** In form order. */
  files: UploadedFile[];
  bandwidthLeft: number;
  diskspaceLeft: number;
  reason?: string;
  /** Where to send the client instead, `upload_status` and `file_id` already appended. */
  redirectUrl?: string;
}

/** `url` with `upload_status` and `file_id` appended to its query (before any fragment). */
export function redirectWithResult(url: string, status: 'ok' | 'fail', fileId: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : url.slice(hashAt);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}upload_status=${status}&file_id=${encodeURIComponent(fileId)}${hash}`;
}
