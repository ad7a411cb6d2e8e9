import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { visitorOf } from '../visitor.js';

/** `GET /`: what this server is, and where its API answers. */
export function registerHomePage(app: FastifyInstance, services: Services): void {
  app.get('/', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const api = `${services.config.publicUrl}/rest/`;
    return sendPage(
      reply,
      200,
      page({
        title: 'File sharing',
        visitor,
        path: '/',
        body: html`<div class="card">
          <h1>Sendbay</h1>
          <p>This server shares files. It speaks the sendspace API 1.2: point any sendspace app, script or uploader at</p>
          <p><code>${api}</code></p>
        </div>`,
      }),
    );
  });
}
