/**
 * Transfers over node:http(s) for Node: the same requests as the fetch code, but with
 * Node streams end to end (no web-stream adapters), which is what lets `sbay` move a
 * large file at the speed of curl. Used by the Node entry and the CLI.
 */
import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { sha256FromEtag } from './download.js';
import { SendbayNetworkError, SendbayTransferError } from './errors.js';
import { uploadAnswer, uploadForm, type UploadTransport } from './upload/transport.js';

function request(url: string, opts: http.RequestOptions): http.ClientRequest {
  const u = new URL(url);
  return (u.protocol === 'https:' ? https : http).request(u, opts);
}

/** The spec's multipart form POST, streamed through node:http with backpressure. */
export const nodeHttpTransport: UploadTransport = {
  name: 'multipart-node-http',
  filesPerRequest: 100,
  send(req) {
    const mp = uploadForm(req);
    const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${mp.boundary}` };
    if (mp.length !== undefined) headers['content-length'] = String(mp.length);
    return new Promise((resolve, reject) => {
      let answered = false;
      const r = request(req.ticket.url, { method: 'POST', headers, signal: req.signal });
      r.on('response', (res: IncomingMessage) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s.length < 100_000 ? s : ''));
        res.on('end', () => {
          try {
            resolve(uploadAnswer(req, res.statusCode ?? 0, text));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', (err) => reject(new SendbayNetworkError(req.ticket.url, err)));
      });
      // A server that refuses early answers before it has read the body: its answer wins.
      r.on('error', (err) => {
        if (!answered) reject(req.signal?.aborted ? err : new SendbayNetworkError(req.ticket.url, err));
      });
      (async () => {
        for await (const chunk of mp.chunks(req.onFileBytes)) {
          if (answered || r.destroyed) return;
          if (!r.write(chunk)) await once(r, 'drain');
        }
        r.end();
      })().catch((err: unknown) => {
        r.destroy();
        if (!answered)
          reject(err instanceof SendbayNetworkError ? err : new SendbayTransferError(`upload: ${(err as Error).message}`, 'upload'));
      });
    });
  },
};

export interface NodeDownload {
  body: Readable;
  start: number;
  size: number | undefined;
  sha256: string | undefined;
}

/** GET a direct link from `offset`, as openDownload does, answering a Node stream. */
export function nodeHttpDownload(url: string, opts: { offset?: number; signal?: AbortSignal | undefined } = {}): Promise<NodeDownload> {
  const offset = opts.offset ?? 0;
  return new Promise((resolve, reject) => {
    const r = request(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, signal: opts.signal });
    r.on('error', (err) => reject(opts.signal?.aborted ? err : new SendbayNetworkError(url, err)));
    r.on('response', (res) => {
      const sha256 = sha256FromEtag(res.headers.etag);
      const status = res.statusCode ?? 0;
      const range = String(res.headers['content-range'] ?? '');
      if (status === 416 && offset > 0) {
        res.resume();
        const total = Number(/\/(\d+)$/.exec(range)?.[1]);
        return resolve({ body: Readable.from([]), start: offset, size: Number.isFinite(total) ? total : offset, sha256 });
      }
      if (status === 206) {
        const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(range);
        return resolve({ body: res, start: m ? Number(m[1]) : offset, size: m && m[2] !== '*' ? Number(m[2]) : undefined, sha256 });
      }
      if (status === 200) {
        const len = res.headers['content-length'];
        return resolve({ body: res, start: 0, size: len !== undefined ? Number(len) : undefined, sha256 });
      }
      res.resume();
      reject(new SendbayTransferError(`download of ${url} answered HTTP ${status}`, 'download'));
    });
    r.end();
  });
}
