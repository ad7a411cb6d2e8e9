/**
 * tus 1.0.0 at `/tus/`: creation (with upload), HEAD, PATCH, termination, checksum and
 * expiration, with CORS so browser pages can drive it. Transport only: every rule is in
 * domain/uploads/resumable-uploads.ts; this maps its refusals to tus status codes.
 */
import { ApiError } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ResumableRefused, type ResumableRefusal } from '../domain/uploads/resumable-errors.js';
import type { ResumableState } from '../domain/uploads/resumable-uploads.js';
import type { Services } from '../services.js';
import {
  ALLOWED_HEADERS,
  ALLOWED_METHODS,
  EXPOSED_HEADERS,
  metadataHeader,
  parseSize,
  parseUploadChecksum,
  parseUploadMetadata,
  TUS_CHECKSUM_ALGORITHMS,
  TUS_EXTENSIONS,
  TUS_VERSION,
} from '../tus/tus-headers.js';
import { readCookie } from '../web/cookies.js';
import { SESSION_COOKIE } from '../web/visitor.js';
import { lingerAfterEarlyAnswer, setAsideInvalidMediaType } from './upload-body.js';

const STATUS: Record<ResumableRefusal, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  gone: 410,
  'offset-mismatch': 409,
  locked: 423,
  'too-large': 413,
  'checksum-mismatch': 460,
  unavailable: 503,
};
const OCTETS = 'application/offset+octet-stream';
type TusRequest = FastifyRequest<{ Params: { id?: string } }>;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function fail(kind: ResumableRefusal, text: string): never {
  throw new ResumableRefused(kind, text);
}

/**
 * Pages of this site may upload for their logged-in visitor without a ticket: the web
 * session cookie stands for one, made as upload.getInfo would. Only same-origin pages
 * send that cookie (it is SameSite=Lax, and CORS here never allows credentials).
 */
async function sessionTicket(req: FastifyRequest, services: Services): Promise<string | undefined> {
  const session = await services.webSessions.resolve(readCookie(req, SESSION_COOKIE));
  if (!session) return undefined;
  try {
    return services.uploads.info(session.user, null).extraInfo;
  } catch (err) {
    if (err instanceof ApiError) fail('forbidden', err.text);
    throw err;
  }
}

export function registerTusRoutes(app: FastifyInstance, services: Services): void {
  const base = `${services.config.publicUrl}/tus/`;
  const idleMs = services.config.uploadIdleTimeoutSeconds * 1000;

  const describe = (reply: FastifyReply, s: ResumableState): FastifyReply => {
    reply.header('upload-offset', String(s.offset)).header('upload-expires', new Date(s.expiresAt * 1000).toUTCString());
    if (s.file) reply.header('sendbay-file-id', s.file.id).header('sendbay-download-url', s.file.downloadUrl);
    return reply;
  };

  const patchRequest = (req: TusRequest, offset: number) => {
    const raw = header(req, 'upload-checksum');
    const checksum = raw === undefined ? undefined : parseUploadChecksum(raw);
    if (checksum === 'unsupported') fail('bad-request', `Upload-Checksum: only ${TUS_CHECKSUM_ALGORITHMS} is supported`);
    if (raw !== undefined && checksum === undefined) fail('bad-request', 'Upload-Checksum must be "sha256 <base64 digest>"');
    // A client that stops sending is dropped; the bytes it sent so far are kept.
    req.raw.setTimeout(idleMs, () => req.raw.destroy(new Error('the client stopped sending')));
    return { offset, body: req.raw, ...(checksum ? { checksum } : {}) };
  };

  const handlers: Record<string, (req: TusRequest, reply: FastifyReply) => Promise<FastifyReply>> = {
    async POST(req, reply) {
      if (req.params.id) fail('bad-request', 'Create uploads at /tus/');
      if (header(req, 'upload-defer-length') !== undefined || header(req, 'upload-concat') !== undefined)
        fail('bad-request', 'Upload-Defer-Length and Upload-Concat are not supported: send Upload-Length');
      const length = parseSize(header(req, 'upload-length'));
      if (length === undefined) fail('bad-request', 'Upload-Length must be the file size in bytes');
      const metadata = parseUploadMetadata(header(req, 'upload-metadata'));
      if (!metadata) fail('bad-request', 'Upload-Metadata must be "key base64value" pairs, separated by commas');
      if (!metadata.has('ticket')) {
        const ticket = await sessionTicket(req, services);
        if (ticket) metadata.set('ticket', ticket);
      }
      let state = await services.resumable.create(length, metadata);
      reply.header('location', base + state.id);
      const withBody = (header(req, 'content-type') ?? '').startsWith(OCTETS) && Number(header(req, 'content-length') ?? '1') > 0;
      if (withBody && state.offset < state.length) {
        try {
          state = await services.resumable.append(state.id, patchRequest(req, 0));
        } catch (err) {
          // The upload exists: the client resumes it with HEAD + PATCH.
          if (!(err instanceof ResumableRefused)) throw err;
          state = await services.resumable.status(state.id);
        }
      }
      return describe(reply.code(201), state).send();
    },
    async HEAD(req, reply) {
      const state = await services.resumable.status(req.params.id ?? '');
      return describe(reply.code(200), state)
        .header('upload-length', String(state.length))
        .header('upload-metadata', metadataHeader({ filename: state.fileName }))
        .send();
    },
    async PATCH(req, reply) {
      if (!(header(req, 'content-type') ?? '').startsWith(OCTETS))
        return reply.code(415).type('text/plain; charset=utf-8').send(`Content-Type must be ${OCTETS}\n`);
      const offset = parseSize(header(req, 'upload-offset'));
      if (offset === undefined) fail('bad-request', 'Upload-Offset must be the offset in bytes');
      const state = await services.resumable.append(req.params.id ?? '', patchRequest(req, offset));
      return describe(reply.code(204), state).send();
    },
    async DELETE(req, reply) {
      await services.resumable.terminate(req.params.id ?? '');
      return reply.code(204).send();
    },
  };

  const handler = async (req: TusRequest, reply: FastifyReply) => {
    reply
      .header('tus-resumable', TUS_VERSION)
      .header('access-control-allow-origin', '*')
      .header('access-control-expose-headers', EXPOSED_HEADERS)
      .header('cache-control', 'no-store');
    if (req.method === 'OPTIONS') {
      return reply
        .code(204)
        .header('tus-version', TUS_VERSION)
        .header('tus-extension', TUS_EXTENSIONS)
        .header('tus-checksum-algorithm', TUS_CHECKSUM_ALGORITHMS)
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '86400')
        .send();
    }
    const method = (header(req, 'x-http-method-override') ?? req.method).toUpperCase();
    const run = handlers[method];
    try {
      if (header(req, 'tus-resumable') !== TUS_VERSION) {
        reply.header('tus-version', TUS_VERSION);
        return await reply.code(412).type('text/plain; charset=utf-8').send(`Send Tus-Resumable: ${TUS_VERSION}\n`);
      }
      if (!run) return await reply.code(405).header('allow', ALLOWED_METHODS).send();
      return await run(req, reply);
    } catch (err) {
      if (!(err instanceof ResumableRefused)) throw err;
      reply.code(STATUS[err.kind]);
      if (err.kind === 'unavailable') reply.header('retry-after', '5');
      return method === 'HEAD' ? reply.send() : reply.type('text/plain; charset=utf-8').send(`${err.text}\n`);
    } finally {
      if (!req.raw.complete) lingerAfterEarlyAnswer(req.raw);
    }
  };

  // An encapsulated scope: bodies stay unread for the domain to stream.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    // A Content-Type naming no media type would get the framework's bare 415, without the
    // tus and CORS headers: set aside, the PATCH answers its own 415 with them.
    scope.addHook('onRequest', (req, _reply, done) => {
      setAsideInvalidMediaType(req.raw);
      done();
    });
    for (const url of ['/tus', '/tus/', '/tus/:id']) scope.route({ method: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE'], url, handler });
  });
}
