/**
 * What can go wrong, as classes a caller can tell apart: the server said no
 * (SendbayApiError, with the spec's code and name), the server could not be reached
 * or answered something that is not the API (SendbayNetworkError, SendbayProtocolError),
 * or a transfer did not complete as it should (SendbayTransferError).
 */
import type { DecodedError } from '@sendbay/protocol';

export class SendbayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SendbayError';
  }
}

/** A `status="fail"` answer. `errors` holds every `<error/>`; the first one is mirrored on the error itself. */
export class SendbayApiError extends SendbayError {
  readonly code: number;
  /** The spec's name, e.g. API_ERROR_FILE_NOT_FOUND. */
  readonly specName: string;
  readonly text: string;
  readonly method: string;
  /** Ids the first error applies to (list methods). */
  readonly ids: string[];
  readonly errors: DecodedError[];

  constructor(method: string, errors: DecodedError[]) {
    const first = errors[0] ?? { code: 0, name: 'UNKNOWN', text: 'the server answered status="fail" without an error', ids: [] };
    super(`${method}: ${first.text} (error ${first.code} ${first.name}${first.ids.length ? `, ids ${first.ids.join(',')}` : ''})`);
    this.name = 'SendbayApiError';
    this.code = first.code;
    this.specName = first.name;
    this.text = first.text;
    this.method = method;
    this.ids = first.ids;
    this.errors = errors;
  }
}

/** No answer: the connection failed, timed out, or was cut. */
export class SendbayNetworkError extends SendbayError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${describeCause(cause)}`, { cause });
    this.name = 'SendbayNetworkError';
  }
}

/** An answer that is not what the protocol says (HTTP error, not XML, wrong document). */
export class SendbayProtocolError extends SendbayError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SendbayProtocolError';
  }
}

/** An upload or download that failed or whose bytes do not check out. */
export class SendbayTransferError extends SendbayError {
  constructor(
    message: string,
    readonly kind: 'upload' | 'download' | 'checksum',
  ) {
    super(message);
    this.name = 'SendbayTransferError';
  }
}

/** The innermost reason of a fetch failure, which Node wraps in "fetch failed". */
export function describeCause(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e instanceof Error && e.cause; i++) e = e.cause;
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}
