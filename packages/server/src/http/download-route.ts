/**
 * The direct link `/dl/<id>/<expires>/<sig>/<name>`: HTTP semantics only (validators,
 * ranges, HEAD, headers); who may download and what it costs is decided by
 * services.downloads. The trailing name is for the browser's benefit and is ignored.
 *
 * Bytes go from the store with backpressure and no per-chunk work. A disk blob on a plain
 * TCP socket goes by sendfile(2) after the first bytes (socket-sendfile.ts); otherwise a
 * body that can write itself (the disk store's, through two reused buffers: no
 * allocation per chunk) goes straight to the socket, and any other body is piped by
 * Fastify. Either way the file is closed as soon as the client goes away.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { canWriteDirect, type DirectWritable } from '../blobs/blob-store.js';
import type { DirectRefusal } from '../domain/downloads/downloads.js';
import { attachmentDisposition } from '../lib/content-disposition.js';
import { ifRangeMatches, noneMatch, parseRange } from '../lib/range.js';
import type { Services } from '../services.js';
import { plainSocketDescriptor, sendFileToSocket, SendfileError, sendfileAvailable } from './socket-sendfile.js';

type DirectParams = { id: string; expires: string; sig: string };

const REFUSALS: Record<DirectRefusal, [number, string]> = {
  'not-found': [404, 'File not found\n'],
  forbidden: [403, 'This download link is not valid or has expired\n'],
  unavailable: [410, 'This file is not available for download\n'],
  bandwidth: [403, "The file owner's monthly bandwidth is used up\n"],
  'storage-down': [503, 'The file storage is not answering; please try again later\n'],
};

function refuse(reply: FastifyReply, reason: DirectRefusal): FastifyReply {
  const [status, text] = REFUSALS[reason];
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type('text/plain; charset=utf-8')
    .send(text);
}

/**
 * The headers and the first bytes go out through Node; once they are written nothing of
 * Node's is queued on the socket, and sendfile may take over. Small bodies are not worth
 * the hand-over.
 */
const FIRST_WRITE = 64 * 1024;

/** How sendfile reports a reader that left, stalled, or a response being torn down. */
const CLIENT_GONE = new Set(['EPIPE', 'ECONNRESET', 'ECANCELED', 'ETIMEDOUT']);

/**
 * Sends the status and headers set on `reply`, then `length` bytes of the blob, outside
 * Fastify's stream handling (a hijacked reply: onSend hooks, if any are ever added, do
 * not see it). A reader that takes nothing for the idle timeout is cut off.
 */
async function sendDirect(
  req: FastifyRequest,
  reply: FastifyReply,
  body: DirectWritable & Readable,
  length: number,
  opts: { sendfile: boolean; idleMs: number },
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  res.writeHead(reply.statusCode);
  // Node's idle timer sees the writes made through it; sendfile's own timer takes over below.
  res.setTimeout(opts.idleMs, () => res.destroy());
  try {
    const socket = res.socket;
    const handOver = opts.sendfile && body.fileCursor !== undefined && length > FIRST_WRITE && plainSocketDescriptor(socket) !== undefined;
    if (!handOver || socket === null) {
      await body.writeTo(res);
    } else {
      const first = await body.writeTo(res, FIRST_WRITE);
      if (socket.writableLength > 0) {
        await body.writeTo(res); // Node still holds bytes: keep to one writer at a time
      } else {
        res.setTimeout(0);
        const { fd, position } = body.fileCursor!();
        await sendFileToSocket(socket, fd, position, length - first, opts.idleMs);
      }
    }
    res.end();
  } catch (err) {
    // The client went away or stalled (nothing to tell), or the file could not be read:
    // the answer is cut short, which the client sees against Content-Length.
    const clientGone = res.destroyed || (err instanceof SendfileError && CLIENT_GONE.has(err.code));
    if (!clientGone) req.log.warn({ err }, 'download stopped: the blob could not be read');
    res.destroy();
  } finally {
    body.destroy();
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function registerDownloadRoute(app: FastifyInstance, services: Services): void {
  const sendOpts = {
    sendfile: services.config.sendfile && sendfileAvailable,
    idleMs: services.config.downloadIdleTimeoutSeconds * 1000,
  };
  const handler = async (req: FastifyRequest<{ Params: DirectParams }>, reply: FastifyReply) => {
    const { id, expires, sig } = req.params;
    const resolved = await services.downloads.resolveDirect(id, expires, sig);
    if (!resolved.ok) return refuse(reply, resolved.reason);
    const file = resolved.file;

    const etag = `"${file.sha256}"`;
    const lastModified = new Date(file.upload_time * 1000).toUTCString();
    reply.header('etag', etag).header('last-modified', lastModified).header('cache-control', 'private');
    if (noneMatch(header(req, 'if-none-match'), etag)) return reply.code(304).send();

    const rangeHeader = ifRangeMatches(header(req, 'if-range'), etag, lastModified) ? header(req, 'range') : undefined;
    const outcome = parseRange(rangeHeader, file.size);
    reply.header('accept-ranges', 'bytes').header('x-content-type-options', 'nosniff');
    if (outcome.kind === 'unsatisfiable') {
      return reply
        .code(416)
        .header('content-range', `bytes */${file.size}`)
        .type('text/plain; charset=utf-8')
        .send('Range Not Satisfiable\n');
    }
    const range = outcome.kind === 'partial' ? outcome.range : undefined;
    reply
      .code(range ? 206 : 200)
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', attachmentDisposition(file.name))
      // A browser that ignored the attachment still may not run anything from it.
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-length', String(range ? range.end - range.start + 1 : file.size));
    if (range) reply.header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
    // HEAD answers the same headers and moves nothing, counts nothing.
    if (req.method === 'HEAD') return reply.send();

    const started = await services.downloads.start(file, range);
    if (!started.ok) {
      for (const h of [
        'etag',
        'last-modified',
        'cache-control',
        'content-length',
        'content-range',
        'content-disposition',
        'content-security-policy',
      ])
        reply.removeHeader(h);
      return refuse(reply, started.reason);
    }
    if ('redirect' in started) {
      // The store serves the bytes (and the Range, which the client sends again there).
      for (const h of ['etag', 'last-modified', 'content-length', 'content-range', 'content-disposition', 'content-type'])
        reply.removeHeader(h);
      return reply.code(302).header('cache-control', 'no-store').header('location', started.redirect).send();
    }
    const length = range ? range.end - range.start + 1 : file.size;
    const began = performance.now();
    // Over when the response is: finished (every byte handed to the socket) or cut short.
    reply.raw.once('close', () => services.telemetry.download(reply.raw.writableFinished, length, (performance.now() - began) / 1000));
    if (canWriteDirect(started.body)) return sendDirect(req, reply, started.body, length, sendOpts);
    return reply.send(started.body);
  };
  for (const url of ['/dl/:id/:expires/:sig', '/dl/:id/:expires/:sig/*']) {
    app.route<{ Params: DirectParams }>({ method: ['GET', 'HEAD'], url, handler });
  }
}
