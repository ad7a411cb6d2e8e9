/**
 * Why a resumable upload request is refused, as the tus protocol distinguishes it. The
 * HTTP layer maps each kind to its status code; `text` is for the client to read.
 */
export type ResumableRefusal =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'gone'
  | 'offset-mismatch'
  | 'locked'
  | 'too-large'
  | 'checksum-mismatch'
  /** A service the upload needs (the lock service) is unreachable: try again later. */
  | 'unavailable';

export class ResumableRefused extends Error {
  constructor(
    readonly kind: ResumableRefusal,
    readonly text: string,
  ) {
    super(text);
    this.name = 'ResumableRefused';
  }
}
