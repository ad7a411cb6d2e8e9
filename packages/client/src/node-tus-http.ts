/**
 * The tus requests over node:http(s): a PATCH streams the file with backpressure and
 * no web-stream adapters, as the multipart node:http transport does. A connection
 * that is cut or refused is a SendbayNetworkError, which the resumable upload answers
 * with a HEAD and the rest of the bytes.
 */
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { SendbayNetworkError } from './errors.js';
import { REASON_CHARS, TUS_VERSION, type TusHttp } from './upload/tus-http.js';

export const nodeTusHttp: TusHttp = {
  request(method, url, headers, body, signal) {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      let answered = false;
      const r = (u.protocol === 'https:' ? https : http).request(u, {
        method,
        headers: { 'tus-resumable': TUS_VERSION, ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        signal,
      });
      const fail = (err: unknown) => reject(signal?.aborted ? err : new SendbayNetworkError(url, err));
      r.on('response', (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          if (status >= 400 && text.length < REASON_CHARS) text += s;
        });
        res.on('end', () =>
          resolve({ status, header: (n) => headerOf(res.headers[n]), text: status >= 400 ? text.slice(0, REASON_CHARS) : undefined }),
        );
        res.on('error', fail);
      });
      // A server that refuses early (413, 409) answers before it has read the body: its answer wins.
      r.on('error', (err) => {
        if (!answered) fail(err);
      });
      if (!body) return void r.end();
      const it = body.chunks[Symbol.asyncIterator]();
      (async () => {
        for (;;) {
          if (answered || r.destroyed) return;
          const { done, value } = await it.next();
          if (done) break;
          if (!r.write(value)) await drainedOrClosed(r);
        }
        r.end();
      })()
        .catch((err: unknown) => {
          r.destroy();
          if (!answered) reject(err);
        })
        .finally(() => void it.return?.());
    });
  },
};

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Resolves at the request's next 'drain' or its 'close', whichever comes first, and
 * leaves no listener behind: waiting with `events.once` for both left the unfired one
 * (and its 'error' listener) on the request, one more per wait, past Node's warning at 11.
 */
function drainedOrClosed(r: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      r.off('drain', done);
      r.off('close', done);
      resolve();
    };
    r.on('drain', done);
    r.on('close', done);
  });
}
