/**
 * CORS for the API, the upload form and direct links, so that a page on another origin
 * can use them (the SDK in a browser, a site's own upload widget). The API authenticates
 * with the `session_key` parameter, never a cookie, and these routes read no cookie, so
 * any origin may read the answers to requests it makes with what it already holds.
 * Credentials are never allowed: a page cannot borrow a visitor's web session through
 * them (`credentials: 'include'` fails the browser's CORS check). The tus and progress
 * routes answer CORS themselves.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Route patterns (as registered) that answer cross-origin requests. */
const CROSS_ORIGIN_ROUTES = new Set(['/rest', '/rest/', '/upload', '/upload/*', '/dl/:id/:expires/:sig', '/dl/:id/:expires/:sig/*']);

/** What a download's reader needs to see: the ETag is the SHA-256, Content-Range the resume point. */
const EXPOSED_HEADERS = 'ETag, Content-Range, Content-Length, Accept-Ranges, Content-Disposition';
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT';
/** Range resumes a download; Content-Disposition names a raw PUT upload. */
const ALLOWED_HEADERS = 'Range, Content-Type, Content-Disposition';

export function registerApiCors(app: FastifyInstance): void {
  // A callback hook, not an async one: an async hook moves every request's handler to a
  // later microtask, a measurable share of a small API call (bench/README.md).
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (CROSS_ORIGIN_ROUTES.has(req.routeOptions.url ?? ''))
      reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', EXPOSED_HEADERS);
    done();
  });
  const preflight = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '86400')
      .send();
  for (const url of ['/rest', '/rest/', '/upload', '/upload/*', '/dl/*']) app.route({ method: 'OPTIONS', url, handler: preflight });
}
