/**
 * sendfile(2) for a download: the kernel moves the blob's page-cache pages to the
 * client's socket, with no copy through user space (see @sendbay/sendfile). That is what
 * lets a download keep pace with nginx; without the addon (not Linux, not built) or on a
 * socket that is not plain TCP, callers copy through user space instead.
 */
import { sendfile } from '@sendbay/sendfile';
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** Whether this process can use sendfile at all. */
export const sendfileAvailable: boolean = sendfile !== undefined;

/**
 * How downloads will move, for the start-up log, and why not by sendfile when it was
 * wanted: an operator whose install could not compile the addon should hear of it.
 */
export function downloadPath(wanted: boolean): { path: 'sendfile' | 'copy'; why?: string } {
  if (!wanted) return { path: 'copy', why: 'SENDBAY_SENDFILE=off' };
  if (sendfileAvailable) return { path: 'sendfile' };
  return process.platform === 'linux'
    ? { path: 'copy', why: 'the sendfile addon is not built (npm ci builds it; see its output)' }
    : { path: 'copy', why: 'sendfile is used on Linux only' };
}

/**
 * The descriptor of a plain TCP socket, or undefined (TLS, a socket without a handle):
 * only bytes that need no transformation on the way may bypass Node's stream.
 */
export function plainSocketDescriptor(socket: Socket | null): number | undefined {
  if (socket === null || 'encrypted' in socket || socket.destroyed) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** What a failed transfer rejects with: the errno's name as `code`, and how far it got. */
export class SendfileError extends Error {
  constructor(
    readonly code: string,
    readonly bytesSent: number,
  ) {
    super(`sendfile stopped after ${bytesSent} bytes: ${code}`);
  }
}

/**
 * Sends `length` bytes of `fileFd` from `offset` to `socket`, whose Node-side write queue
 * must be empty: nothing may write to the socket until this settles. Resolves once every
 * byte is in the kernel's socket buffer; rejects when the client goes away (the socket
 * closes or the kernel reports a reset), or takes nothing for `idleMs`.
 */
export function sendFileToSocket(socket: Socket, fileFd: number, offset: number, length: number, idleMs: number): Promise<void> {
  const addon = sendfile;
  const socketFd = plainSocketDescriptor(socket);
  if (addon === undefined || socketFd === undefined) return Promise.reject(new SendfileError('ENOTSUP', 0));
  return new Promise((resolve, reject) => {
    let settled = false;
    const onClose = () => {
      if (!settled) addon.cancel(handle);
    };
    const handle = addon.start(socketFd, fileFd, offset, length, idleMs, (errno, bytesSent) => {
      settled = true;
      socket.off('close', onClose);
      if (errno === 0) resolve();
      else reject(new SendfileError(getSystemErrorName(-errno), bytesSent));
    });
    socket.once('close', onClose);
  });
}
