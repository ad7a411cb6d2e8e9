import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

/** How long one backend may take to answer before it counts as down. */
const CHECK_TIMEOUT_MS = 5000;

/**
 * `GET /healthz`: 200 `{status:'ok'}` when every backend answers, otherwise 503 with
 * `down` naming the ones that did not (the reasons go to the log, not to the caller).
 */
export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async (req, reply) => {
    const results = await Promise.all(
      services.health.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return { name, ok: true };
        } catch (err) {
          req.log.warn({ err, backend: name }, 'health check failed');
          return { name, ok: false };
        }
      }),
    );
    const down = results.filter((r) => !r.ok).map((r) => r.name);
    reply.header('cache-control', 'no-store');
    if (down.length === 0) return reply.send({ status: 'ok' });
    return reply.code(503).send({ status: 'unavailable', down });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
