/**
 * The progress URL: `<progress>` for an upload identifier, on GET and POST, readable
 * from any origin (browser pages poll it directly instead of through the spec's proxy).
 */
import { progressXml } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';

const QUERY_NAMES = ['UPLOAD_IDENTIFIER', 'upload_identifier', 'progress_id', 'id'];

function identifierOf(req: FastifyRequest<{ Params: { '*'?: string } }>): string {
  const fromPath = (req.params['*'] ?? '').split('/')[0] ?? '';
  if (fromPath !== '') return fromPath;
  const q = req.url.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  for (const name of QUERY_NAMES) {
    const v = params.get(name);
    if (v) return v;
  }
  return '';
}

export function registerProgressRoutes(app: FastifyInstance, services: Services): void {
  const handler = async (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const snapshot = await services.uploads.progress(identifierOf(req).slice(0, 200));
    return reply
      .code(200)
      .header('content-type', 'text/xml; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('access-control-allow-origin', '*')
      .send(progressXml(snapshot));
  };
  const preflight = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-max-age', '86400')
      .send();
  for (const url of ['/progress', '/progress/*']) {
    app.route({ method: ['GET', 'POST'], url, handler });
    app.route({ method: 'OPTIONS', url, handler: preflight });
  }
}
