/**
 * One JSON line per request, written when the response is over (sent, or cut short):
 * request id, method, route pattern, redacted URL, status, body bytes, duration and the
 * client's address. Every answer carries `X-Request-Id`: the client's own when it sent a
 * sane one (a proxy's id then ties both logs together), else a new one.
 *
 * Cheap on purpose: one hook, one `close` listener and one pre-bound logger; no child
 * logger per request (a large share of a small API call's cost). The info line is put
 * together here, in the exact shape pino gives it, rather than by pino's serialiser, which
 * walks and type-checks every field of every line: 9–11% more API calls per second with
 * the log on (bench/README.md).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
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

const { chindingsSym, lsCacheSym, streamSym, timeSym } = pino.symbols;
/** pino.symbols by name, including the few its type declarations leave out. */
const sym = pino.symbols as unknown as Record<string, symbol | undefined>;
const at = (o: Record<symbol, unknown> | undefined, name: string): unknown => {
  const key = sym[name];
  return key === undefined || o === undefined ? undefined : o[key];
};
const FIELDS = ['reqId', 'method', 'route', 'url', 'status', 'bytes', 'ms', 'client', 'aborted'];

/**
 * True when pino would write a line of `logger` as prefix + time + bindings + fields + msg
 * and nothing more: none of the options that change a line (a mixin, hooks, a log
 * formatter, another message key, a nested key, a message prefix, redaction, serialisers
 * for these fields, a destination that wants metadata) is set. The server's own logger
 * sets none; any other logger gets pino's own path.
 */
function writesPlainLines(logger: Logger): boolean {
  const l = logger as unknown as Record<symbol, unknown>;
  const hooks = at(l, 'hooksSym') as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const formatters = at(l, 'formattersSym') as { log?: unknown } | undefined;
  const stringifiers = at(l, 'stringifiersSym') as Record<string | symbol, unknown> | undefined;
  const serializers = (at(l, 'serializersSym') ?? {}) as Record<string, unknown>;
  const stream = l[streamSym] as Record<symbol, unknown> | undefined;
  return (
    typeof l[lsCacheSym] === 'object' &&
    typeof l[timeSym] === 'function' &&
    typeof l[chindingsSym] === 'string' &&
    typeof (stream as { write?: unknown } | undefined)?.write === 'function' &&
    !at(l, 'mixinSym') &&
    !hooks?.logMethod &&
    !hooks?.streamWrite &&
    !formatters?.log &&
    at(l, 'messageKeySym') === 'msg' &&
    !at(l, 'nestedKeySym') &&
    !at(l, 'msgPrefixSym') &&
    stringifiers !== undefined &&
    Object.keys(stringifiers).length === 0 &&
    at(stringifiers, 'wildcardFirstSym') === undefined &&
    FIELDS.every((f) => serializers[f] === undefined) &&
    at(stream, 'needsMetadataGsym') !== true
  );
}

/**
 * Writes an info line of `logger` given its fields as JSON members (each starting with a
 * comma): the logger's own level prefix, timestamp and bindings first and the message last,
 * as pino writes them, to the logger's destination. Undefined when the logger is set up so
 * that pino would write something else (see writesPlainLines).
 */
function infoLineWriter(logger: Logger, msg: string): ((fields: string) => void) | undefined {
  if (!writesPlainLines(logger)) return undefined;
  const l = logger as unknown as Record<symbol, unknown>;
  const head = (l[lsCacheSym] as Record<number, string>)[30] as string;
  const time = l[timeSym] as () => string;
  const bindings = l[chindingsSym] as string;
  const stream = l[streamSym] as { write(line: string): unknown };
  const tail = `,"msg":${JSON.stringify(msg)}}\n`;
  return (fields) => stream.write(head + time() + bindings + fields + tail);
}

const json = JSON.stringify;

export function registerAccessLog(app: FastifyInstance, log: Logger, enabled: boolean): void {
  const access = log.child({ component: 'access' });
  const writeInfo = infoLineWriter(access, 'request');
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
        const route = req.routeOptions.url ?? null;
        const url = redactUrl(req.url, route ?? undefined);
        const measured = bodyBytes(reply, before);
        const bytes = Number.isFinite(measured) ? measured : null; // as pino writes a non-finite number
        const ms = Math.round((performance.now() - started) * 100) / 100;
        const aborted = !res.writableFinished;
        if (res.statusCode >= 500 || !writeInfo) {
          const line = { reqId: req.id, method: req.method, route, url, status: res.statusCode, bytes, ms, client: req.ip };
          const fields = aborted ? { ...line, aborted } : line;
          if (res.statusCode >= 500) access.error(fields, 'request');
          else access.info(fields, 'request');
          return;
        }
        writeInfo(
          `,"reqId":${json(req.id)},"method":${json(req.method)},"route":${json(route)},"url":${json(url)}` +
            `,"status":${res.statusCode},"bytes":${bytes},"ms":${ms},"client":${json(req.ip)}${aborted ? ',"aborted":true' : ''}`,
        );
      });
    }
    done();
  });
}
