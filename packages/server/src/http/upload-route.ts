/**
 * The upload POST (and PUT) at `/upload/<identifier>` or `/upload`: streams the body into
 * the uploads domain and answers as the spec says: plain text for session uploads,
 * `<upload_done>` XML for anonymous ones, a 302 when `redirect_url` was given. Always
 * HTTP 200 otherwise, failures included (clients read `upload_status`, not the status).
 */
import { anonymousUploadXml, sessionUploadText } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UploadOutcome } from '../domain/uploads/upload-outcome.js';
import type { Services } from '../services.js';
import { lingerAfterEarlyAnswer, readUpload, setAsideInvalidMediaType } from './upload-body.js';

function pathIdentifier(rest: string | undefined): string | undefined {
  const segment = (rest ?? '').split('/')[0] ?? '';
  if (segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function queryOf(url: string): [string, string][] {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

export function answerUpload(reply: FastifyReply, o: UploadOutcome): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (o.redirectUrl)
    return reply.code(302).header('location', o.redirectUrl).type('text/plain; charset=utf-8').send(`upload_status=${o.status}\n`);
  if (o.anonymous) {
    // The spec's <upload_done> names one file: the first of the form.
    const f = o.files[0];
    return reply
      .code(200)
      .type('text/xml; charset=utf-8')
      .send(
        anonymousUploadXml(
          f
            ? { status: o.status, downloadUrl: f.downloadUrl, deleteUrl: f.deleteUrl, fileId: f.id }
            : { status: 'fail', ...(o.reason ? { reason: o.reason } : {}) },
        ),
      );
  }
  return reply
    .code(200)
    .type('text/plain; charset=utf-8')
    .send(
      sessionUploadText({
        status: o.status,
        fileIds: o.files.map((f) => f.id),
        bandwidthLeft: o.bandwidthLeft,
        diskspaceLeft: o.diskspaceLeft,
        ...(o.reason ? { reason: o.reason } : {}),
      }),
    );
}

export function registerUploadRoutes(app: FastifyInstance, services: Services): void {
  const handler = async (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const length = Number(req.headers['content-length']);
    const started = performance.now();
    services.telemetry.uploadStarted();
    let read;
    try {
      const receiver = services.uploads.receive(Number.isSafeInteger(length) && length > 0 ? length : 0);
      read = await readUpload({
        raw: req.raw,
        receiver,
        pathIdentifier: pathIdentifier(req.params['*']),
        query: queryOf(req.url),
        idleTimeoutMs: services.config.uploadIdleTimeoutSeconds * 1000,
      });
    } finally {
      services.telemetry.uploadEnded();
    }
    const o = read.outcome;
    const stored = o.status === 'ok' ? o.files.reduce((n, f) => n + f.size, 0) : 0;
    services.telemetry.upload(o.status, stored, (performance.now() - started) / 1000);
    if (!read.complete) lingerAfterEarlyAnswer(req.raw);
    return answerUpload(reply, o);
  };

  // An encapsulated scope: here every body, urlencoded included, is left unread for the
  // route to stream (the app's global parsers would buffer urlencoded ones).
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    scope.addHook('onRequest', async (req) => setAsideInvalidMediaType(req.raw));
    for (const url of ['/upload', '/upload/*']) scope.route({ method: ['POST', 'PUT'], url, handler });
  });
}
