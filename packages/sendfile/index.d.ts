/** An errno value (0 once every byte went out) and the number of bytes sent. */
export type SendfileCallback = (errno: number, bytesSent: number) => void;

/** A running transfer, only good for `cancel`. */
export type SendfileHandle = { readonly __brand: 'SendfileHandle' };

export interface SendfileAddon {
  /**
   * Sends `length` bytes of `fileFd` from `offset` to the connected TCP socket `socketFd`,
   * without blocking the event loop. Nothing else may write to the socket until
   * `callback` runs; the file must stay open until then. A reader that takes nothing
   * for `idleMs` ends the transfer with ETIMEDOUT.
   */
  start(socketFd: number, fileFd: number, offset: number, length: number, idleMs: number, callback: SendfileCallback): SendfileHandle;
  /** Stops a transfer at its next step; its callback then reports ECANCELED. */
  cancel(handle: SendfileHandle): void;
}

/** The addon on Linux when it was built at install time, otherwise undefined. */
export const sendfile: SendfileAddon | undefined;
