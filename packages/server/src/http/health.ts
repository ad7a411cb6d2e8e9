/**
 * Operations endpoints:
 *   GET /healthz  liveness: the process is up and its event loop turns. No I/O: a probe
 *                 that restarts the server must not fire because a backend is down.
 *   GET /readyz   readiness: every backend answers (database, blob store, Redis…); 503
 *                 with `down` naming the ones that did not (reasons go to the log only)
 *   GET /metrics  Prometheus text; who may read it is SENDBAY_METRICS (see README)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsAccess } from '../config.js';
import { runChecks } from '../observability/readiness.js';
import type { Services } from '../services.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** `local`: a direct connection from this machine, not one relayed by a proxy. */
function mayReadMetrics(req: FastifyRequest, access: MetricsAccess): boolean {
  if (access === 'public') return true;
  if (access === 'off') return false;
  const direct = req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
  return direct && LOOPBACK.test(req.raw.socket.remoteAddress ?? '');
}

export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (req, reply) => {
    const results = await runChecks(services.health);
    for (const r of results) if (!r.ok) req.log.warn({ backend: r.name, error: r.error }, 'readiness check failed');
    const down = results.filter((r) => !r.ok).map((r) => r.name);
    const checks = results.map(({ name, ok, ms }) => ({ name, ok, ms }));
    reply.header('cache-control', 'no-store');
    if (down.length === 0) return reply.send({ status: 'ok', checks });
    return reply.code(503).send({ status: 'unavailable', down, checks });
  });

  app.get('/metrics', async (req, reply) => {
    const metrics = services.metrics;
    if (!metrics || !mayReadMetrics(req, services.config.metrics))
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    const { contentType, body } = await metrics.scrape();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
