/**
 * One API call over HTTP: the request, the answer read as a `<result>`, and retries
 * with backoff for calls that are safe to send twice when the network failed.
 * Uses only fetch, so it runs in browsers as in Node.
 */
import { decodeResult, type DecodedResult } from '@sendbay/protocol';
import { SendbayNetworkError, SendbayProtocolError } from './errors.js';

export interface RetryPolicy {
  /** Attempts after the first (default 3). */
  retries: number;
  /** First delay in ms, doubled each time (default 250). */
  baseDelayMs: number;
}

export interface RestOptions {
  fetch: typeof fetch;
  httpMethod?: 'GET' | 'POST' | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** Methods that change nothing, or change it to the same state when repeated. */
const IDEMPOTENT = new Set(
  [
    'auth.createToken',
    'auth.checkSession',
    'upload.getInfo',
    'anonymous.uploadGetInfo',
    'download.getInfo',
    'files.getInfo',
    'files.setInfo',
    'files.moveToFolder',
    'folders.getInfo',
    'folders.setInfo',
    'folders.getContents',
    'folders.getShared',
    'folders.getAll',
    'folders.move',
    'addressbook.list',
    'addressbook.update',
  ].map((m) => m.toLowerCase()),
);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toLowerCase());
}

/** Long query strings go as a POST body: proxies cut URLs long before the API's limits. */
const MAX_GET_QUERY = 2_000;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

export function withTimeout(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([t, signal]) : t;
}

async function send(restUrl: string, form: URLSearchParams, o: RestOptions, signal?: AbortSignal): Promise<string> {
  const query = form.toString();
  const post = o.httpMethod === 'POST' || (o.httpMethod !== 'GET' && query.length > MAX_GET_QUERY);
  let res: Response;
  try {
    res = post
      ? await o.fetch(restUrl, { method: 'POST', body: form, signal: withTimeout(o.timeoutMs, signal) })
      : await o.fetch(`${restUrl}?${query}`, { signal: withTimeout(o.timeoutMs, signal) });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new SendbayNetworkError(restUrl, err);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new SendbayNetworkError(restUrl, err);
  }
  if (res.status !== 200)
    throw new SendbayProtocolError(`HTTP ${res.status} from ${restUrl} (is this a sendspace API endpoint?)`, res.status);
  return text;
}

/** Sends `method` and returns the decoded envelope; retries network failures of idempotent methods. */
export async function restCall(
  restUrl: string,
  method: string,
  params: [string, string][],
  o: RestOptions,
  signal?: AbortSignal,
): Promise<DecodedResult & { xml: string }> {
  const form = new URLSearchParams([['method', method], ...params]);
  const tries = isIdempotent(method) ? o.retry.retries + 1 : 1;
  for (let attempt = 1; ; attempt++) {
    let xml: string;
    try {
      xml = await send(restUrl, form, o, signal);
    } catch (err) {
      if (!(err instanceof SendbayNetworkError) || attempt >= tries) throw err;
      await sleep(o.retry.baseDelayMs * 2 ** (attempt - 1), signal);
      continue;
    }
    try {
      return { ...decodeResult(xml), xml };
    } catch {
      throw new SendbayProtocolError(`${restUrl} did not answer with a sendspace <result> document: ${JSON.stringify(xml.slice(0, 80))}`);
    }
  }
}
