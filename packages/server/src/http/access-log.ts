/**
 * One JSON line per request, written when the response is over (sent, or cut short):
 * request id, method, route pattern, redacted URL, status, body bytes, duration and the
 * client's address. Every answer carries `X-Request-Id`: the client's own when it sent a
 * sane one (a proxy's id then ties both logs together), else a new one.
 *
 * Cheap on purpose: one hook, one `close` listener and one pre-bound logger; no child
 * logger per request (a large share of a small API call's cost).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from '../observability/redact.js';

const SANE_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** Fastify's `genReqId`: the incoming `X-Request-Id` if it is sane, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && SANE_ID.test(sent) ? sent : randomUUID();
}

function bodyBytes(reply: FastifyReply, socketBytesBefore: number): number {
  const res = reply.raw;
  const length = res.getHeader('content-length');
  if (res.writableFinished && length !== undefined) return Number(length);
  // Chunked or cut short: what reached the socket (headers included) is the best figure.
  return Math.max(0, (res.socket?.bytesWritten ?? socketBytesBefore) - socketBytesBefore);
}

export function registerAccessLog(app: FastifyInstance, log: Logger, enabled: boolean): void {
  const access = log.child({ component: 'access' });
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // Set on the raw response so hijacked replies (downloads) and early errors carry it too.
    reply.raw.setHeader('x-request-id', req.id);
    if (enabled) {
      const started = performance.now();
      const before = req.raw.socket?.bytesWritten ?? 0;
      reply.raw.once('close', () => {
        const res = reply.raw;
        // Below the log's level the line is never built (the redaction is its main cost).
        if (res.statusCode < 500 && !access.isLevelEnabled('info')) return;
        const route = req.routeOptions.url;
        const line = {
          reqId: req.id,
          method: req.method,
          route: route ?? null,
          url: redactUrl(req.url, route),
          status: res.statusCode,
          bytes: bodyBytes(reply, before),
          ms: Math.round((performance.now() - started) * 100) / 100,
          client: req.ip,
          ...(res.writableFinished ? {} : { aborted: true }),
        };
        if (res.statusCode >= 500) access.error(line, 'request');
        else access.info(line, 'request');
      });
    }
    done();
  });
}
