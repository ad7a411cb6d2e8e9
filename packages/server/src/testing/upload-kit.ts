/**
 * Test helpers for uploads over real HTTP: a multipart body builder that can also write
 * the odd bodies real clients send, a node:http request the test can feed slowly or cut
 * off, and parsers for the answers.
 */
import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import type { SendspaceClient } from '@sendbay/client';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { storedBlobKeys } from './library-fixtures.js';
import type { TestServer } from './test-server.js';

export type Part =
  | { name: string; value: string }
  | {
      name: string;
      filename?: string;
      content: Buffer | string;
      /** Content-Type header of the part; none when omitted. */
      contentType?: string;
      /** Replaces the whole Content-Disposition value. */
      disposition?: string;
    };

export const BOUNDARY = '----sendbayTestBoundary7MA4YWxkTrZu0gW';

export function partHead(p: Part, boundary = BOUNDARY): string {
  let head = `--${boundary}\r\n`;
  if ('value' in p) return `${head}Content-Disposition: form-data; name="${p.name}"\r\n\r\n`;
  const disposition = p.disposition ?? `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
  head += `Content-Disposition: ${disposition}\r\n`;
  if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
  return `${head}\r\n`;
}

/** A whole form; `closing` replaces the final `--BOUNDARY--\r\n` (lenient-parsing tests). */
export function multipart(parts: Part[], opts: { boundary?: string; closing?: string } = {}): Buffer {
  const b = opts.boundary ?? BOUNDARY;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(partHead(p, b), 'utf8'));
    chunks.push(Buffer.from('value' in p ? p.value : p.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(opts.closing ?? `--${b}--\r\n`));
  return Buffer.concat(chunks);
}

export const FORM_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface OpenRequest {
  req: ClientRequest;
  answer: Promise<HttpAnswer>;
}

/** Starts a request whose body the test writes itself (`req.write`, `req.end`, `req.destroy`). */
export function openRequest(url: string, opts: { method?: string; headers?: Record<string, string | number> } = {}): OpenRequest {
  let req!: ClientRequest;
  const answer = new Promise<HttpAnswer>((resolve, reject) => {
    req = request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { req, answer };
}

/** One complete request: `body` sent with a Content-Length unless `chunked`. */
export async function send(
  url: string,
  body: Buffer,
  opts: { method?: string; contentType?: string | null; chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? FORM_TYPE;
  if (!opts.chunked) headers['content-length'] = body.length;
  const { req, answer } = openRequest(url, { method: opts.method ?? 'POST', headers });
  if (opts.chunked) {
    // Several writes, so the body really travels in chunks.
    for (let i = 0; i < body.length; i += 1000) req.write(body.subarray(i, i + 1000));
    req.end();
  } else {
    req.end(body);
  }
  return answer;
}

export interface UploadAttrs {
  url: string;
  progress_url: string;
  max_file_size: string;
  upload_identifier: string;
  extra_info: string;
}

export async function uploadInfo(client: SendspaceClient, params: Record<string, string | number> = {}): Promise<UploadAttrs> {
  const r = await client.call('upload.getInfo', params);
  if (r.status !== 'ok') throw new Error(`upload.getInfo failed: ${r.xml}`);
  return r.body.upload as UploadAttrs;
}

export async function anonymousUploadInfo(client: SendspaceClient, params: Record<string, string | number> = {}): Promise<UploadAttrs> {
  const r = await client.call('anonymous.uploadGetInfo', { api_key: 'test-key', api_version: '1.2', ...params });
  if (r.status !== 'ok') throw new Error(`anonymous.uploadGetInfo failed: ${r.xml}`);
  return r.body.upload as UploadAttrs;
}

export interface SessionAnswer {
  lines: string[];
  status: string;
  fileIds: string[];
  reason: string | undefined;
}

/** The plain-text answer of a session upload, split as clients split it. */
export function sessionAnswer(text: string): SessionAnswer {
  const lines = text.split('\n').filter((l) => l !== '');
  const values = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  return {
    lines,
    status: values('upload_status')[0] ?? '',
    fileIds: values('file_id').filter((v) => v !== ''),
    reason: values('reason')[0],
  };
}

/** Every file under `dir`, recursively (blob and temp directories). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/**
 * No blob without a row, and no temporary file (on S3: no open multipart upload):
 * nothing a failed upload may leave behind.
 */
export async function assertNoUploadLeftovers(server: TestServer): Promise<void> {
  const keys = new Set((await server.ctx.db.selectFrom('files').select('blob_key').execute()).map((r) => r.blob_key));
  const blobs = [...(await storedBlobKeys(server))];
  assert.deepEqual(
    blobs.filter((k) => !keys.has(k)),
    [],
    'every blob has a row',
  );
  if (server.bucket) assert.equal(await server.bucket.openUploads(), 0, 'no multipart upload is left open');
  else assert.deepEqual(await filesUnder(join(server.dataDir, 'tmp')), [], 'no temporary file is left');
}

/** Polls `check` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
