/**
 * An upload refused for a reason the client may read (`reason=` in the answer). Any
 * other error is an internal one: logged, and answered with a generic reason.
 */
export class UploadRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UploadRefused';
  }
}

/** The client went away or stopped sending: nobody will read the answer. */
export class UploadInterrupted extends Error {
  constructor(reason = 'The upload was interrupted') {
    super(reason);
    this.name = 'UploadInterrupted';
  }
}
