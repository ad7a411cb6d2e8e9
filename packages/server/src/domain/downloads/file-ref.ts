/**
 * download.getInfo takes a file id or a full download-page URL, from any host (links
 * of the original service, or ours): `http://www.sendspace.com/file/abc123`,
 * `${publicUrl}/file/abc123?x`. The id is the 6 characters after `/file/`.
 */
import { ApiError, FILE_ID_RE } from '@sendbay/protocol';

const PAGE_PATH = /\/file\/([a-z0-9]{6})(?=$|[/?#])/i;

/**
 * The file id a reference names. Throws 26 for a URL that is not a download-page URL;
 * returns undefined for something that is neither a URL nor a possible id (the caller
 * answers "file not found", as for any unknown id).
 */
export function fileIdFromRef(ref: string): string | undefined {
  let v = ref.trim();
  // Some clients encode the URL twice; the transport has already decoded it once.
  if (/^https?%3a/i.test(v)) {
    try {
      v = decodeURIComponent(v);
    } catch {
      throw new ApiError(26);
    }
  }
  if (FILE_ID_RE.test(v.toLowerCase())) return v.toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.includes('/')) {
    const m = PAGE_PATH.exec(v);
    if (!m) throw new ApiError(26);
    return (m[1] as string).toLowerCase();
  }
  return undefined;
}
