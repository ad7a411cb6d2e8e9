/**
 * The requests of a tus 1.0.0 client, as a small seam: `fetchTusHttp` runs wherever
 * fetch does (browsers: a Blob body goes as a Blob, which browsers send without
 * streaming support); the Node entry has one over node:http that streams the file
 * with backpressure, as the multipart upload does.
 */
import { SendbayNetworkError } from '../errors.js';

export const TUS_VERSION = '1.0.0';

export interface TusBody {
  length: number;
  /** The bytes, read when sent. */
  chunks: AsyncIterable<Uint8Array>;
  /** The same bytes as a Blob, when the source is one (browsers send it as it is). */
  blob?: Blob | undefined;
}

export interface TusAnswer {
  status: number;
  /** A response header by its lower-case name. */
  header(name: string): string | undefined;
  /** The start of the body of a refusal (4xx, 5xx): the server's reason, in plain text. */
  text?: string | undefined;
}

/** Enough of a refusal's body to show a person; the rest is not read. */
export const REASON_CHARS = 300;

export interface TusHttp {
  /** Throws SendbayNetworkError when no answer came (refused, cut, timed out). */
  request(
    method: 'POST' | 'HEAD' | 'PATCH' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    body?: TusBody,
    signal?: AbortSignal,
  ): Promise<TusAnswer>;
}

function toStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export function fetchTusHttp(fetcher: typeof fetch = (...a) => globalThis.fetch(...a)): TusHttp {
  return {
    async request(method, url, headers, body, signal) {
      const init: RequestInit & { duplex?: 'half' } = { method, headers: { 'tus-resumable': TUS_VERSION, ...headers }, signal };
      if (body) {
        init.body = body.blob ?? toStream(body.chunks);
        if (!body.blob) init.duplex = 'half';
      }
      try {
        const res = await fetcher(url, init);
        // Successful tus answers carry no body worth reading: drained so the connection is reused.
        const text = res.status >= 400 ? (await res.text().catch(() => '')).slice(0, REASON_CHARS) : undefined;
        if (text === undefined) await res.arrayBuffer().catch(() => undefined);
        return { status: res.status, header: (n) => res.headers.get(n) ?? undefined, text };
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new SendbayNetworkError(url, err);
      }
    },
  };
}

function base64(s: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs; empty values are left out. */
export function uploadMetadata(pairs: Record<string, string | undefined>): string {
  return Object.entries(pairs)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k} ${base64(v)}`)
    .join(',');
}
