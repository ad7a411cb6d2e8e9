import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { html } from '../web/html.js';
import { page } from '../web/layout.js';
import { sendPage } from './send-page.js';

/** `GET /`: what this server is, and where its API answers. */
export function registerHomePage(app: FastifyInstance, services: Services): void {
  app.get('/', async (_req, reply) => {
    const api = `${services.config.publicUrl}/rest/`;
    return sendPage(
      reply,
      200,
      page(
        'File sharing',
        html`<h1>Sendbay</h1>
          <p>This server shares files. It speaks the sendspace API 1.2: point any sendspace app, script or uploader at</p>
          <p><code>${api}</code></p>
          <p class="muted">Download links look like <code>${services.config.publicUrl}/file/abc123</code>.</p>`,
      ),
    );
  });
}
