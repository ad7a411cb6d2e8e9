import type { FastifyInstance } from 'fastify';
import { webAssets } from './assets.js';

/** `GET /assets/<name>-<hash>.<ext>`: immutable, gzipped for clients that take it. */
export function registerAssetRoutes(app: FastifyInstance): void {
  const assets = webAssets();
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
    const asset = assets.get(req.params.file);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('Not found\n');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    reply
      .code(200)
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding');
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? asset.gzip : asset.body);
  });
}
