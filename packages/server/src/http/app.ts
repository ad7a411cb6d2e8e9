/**
 * Builds the Fastify application: transport concerns only. Every route calls into
 * the services; no business rule lives here.
 */
import { randomUUID } from 'node:crypto';
import { failResult } from '@sendbay/protocol';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { Dispatcher } from '../rest/dispatch.js';
import { handlers } from '../rest/handlers/index.js';
import { registerAccessLog, requestId } from './access-log.js';
import { registerApiCors } from './api-cors.js';
import { registerDownloadRoute } from './download-route.js';
import { registerHealthRoutes } from './health.js';
import { lazyQuery } from './lazy-query.js';
import { registerProgressRoutes } from './progress-route.js';
import { registerRestRoutes } from './rest-route.js';
import { registerTusRoutes } from './tus-route.js';
import { answerUnroutable } from './unroutable.js';
import { registerUploadRoutes } from './upload-route.js';
import { sendNotFound } from '../web/pages/not-found.js';
import { registerWebRoutes } from '../web/web-routes.js';

/** Body size for API calls (uploads use their own streaming route). */
const API_BODY_LIMIT = 1024 * 1024;

export function buildApp(services: Services): FastifyInstance {
  const app = Fastify({
    loggerInstance: services.log.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Requests are not logged one by one, so no per-request child logger is made:
    // creating one is a large share of a small API call's cost.
    childLoggerFactory: (logger) => logger,
    genReqId: requestId,
    routerOptions: { querystringParser: lazyQuery },
    bodyLimit: API_BODY_LIMIT,
    // X-Forwarded-For is read only through the configured proxies (proxy-addr walks the
    // chain from the socket and stops at the first hop it does not trust).
    trustProxy: services.config.trustProxy.length > 0 ? services.config.trustProxy : false,
    // Long query strings are answered with a protocol error, not by the HTTP parser.
    http: { maxHeaderSize: 64 * 1024 },
    // Clients honouring http_proxy send `GET http://api.sendspace.com/rest/?…`: route on the path.
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      if (!/^https?:\/\//i.test(url)) return url;
      const afterScheme = url.indexOf('/', url.indexOf('//') + 2);
      return afterScheme < 0 ? '/' : url.slice(afterScheme);
    },
    frameworkErrors: answerUnroutable,
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return socket.destroy();
      const body = failResult('', [{ code: 16, text: 'The request could not be read: it is malformed or too large' }]);
      const code = (err as NodeJS.ErrnoException).code;
      const status = code === 'HPE_HEADER_OVERFLOW' ? 200 : 400;
      const id = randomUUID();
      // Never reaches a route, so the access log would not see it: one line here instead.
      services.log.info({ component: 'access', reqId: id, status, error: code, client: socket.remoteAddress }, 'unreadable request');
      socket.end(
        `HTTP/1.1 ${status === 200 ? '200 OK' : '400 Bad Request'}\r\n` +
          `Content-Type: text/xml; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  // A client that half-closes its side once the request is sent (shutdown(SHUT_WR), as
  // `curl` and scripts may) still gets its answer; the socket is ended after it. Node's
  // default ends the connection as soon as the client's side ends, before any answer.
  (app.server as typeof app.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  registerAccessLog(app, services.log, services.config.accessLog);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Multipart and anything else stay unread: the routes that need them stream them.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    // Internals never reach the client.
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'Internal error\n' : `${err.message}\n`);
  });
  // People get the not-found page; API clients and tools a plain line.
  app.setNotFoundHandler((req, reply) =>
    req.method === 'GET' && /text\/html/.test(String(req.headers.accept ?? ''))
      ? sendNotFound(reply)
      : reply.code(404).type('text/plain; charset=utf-8').send('Not found\n'),
  );

  registerApiCors(app);
  registerRestRoutes(app, new Dispatcher(services, handlers, services.log.child({ component: 'rest' })));
  registerHealthRoutes(app, services);
  registerWebRoutes(app, services);
  registerDownloadRoute(app, services);
  registerUploadRoutes(app, services);
  registerProgressRoutes(app, services);
  registerTusRoutes(app, services);
  return app;
}
