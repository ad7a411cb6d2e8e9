/**
 * Test helpers for tus: raw protocol requests (fetch, so a test sees every header) and
 * an upload through the official tus-js-client that resolves with the final answer.
 */
import { createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';
import { metadataHeader } from './tus-headers.js';

export interface TusAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function tusRequest(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<TusAnswer> {
  const r = await fetch(url, {
    method,
    headers: { 'tus-resumable': '1.0.0', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
  }).catch((err: Error) => {
    throw new Error(`${method} ${url}: ${String(err.cause ?? err)}`);
  });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** POSTs a new upload; `meta` goes in Upload-Metadata. */
export function createUpload(base: string, length: number, meta: Record<string, string>, extra: Record<string, string> = {}) {
  return tusRequest(`${base}/tus/`, 'POST', { 'upload-length': String(length), 'upload-metadata': metadataHeader(meta), ...extra });
}

export function patch(url: string, offset: number, body: Buffer, extra: Record<string, string> = {}) {
  return tusRequest(url, 'PATCH', { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...extra }, body);
}

export interface ClientUploadResult {
  url: string;
  fileId: string | null;
  downloadUrl: string | null;
}

/** Uploads a Buffer or a file (by path) with tus-js-client, retrying as a real client would. */
export function clientUpload(
  endpoint: string,
  source: Buffer | { path: string },
  metadata: Record<string, string>,
  opts: Partial<tus.UploadOptions> = {},
): Promise<ClientUploadResult> {
  const input = Buffer.isBuffer(source) ? source : createReadStream(source.path);
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(input as never, {
      endpoint,
      metadata,
      retryDelays: [0, 50, 100, 200, 400],
      onError: reject,
      onSuccess: ({ lastResponse }) =>
        resolve({
          url: upload.url as string,
          fileId: lastResponse.getHeader('sendbay-file-id') ?? null,
          downloadUrl: lastResponse.getHeader('sendbay-download-url') ?? null,
        }),
      ...opts,
    });
    upload.start();
  });
}
