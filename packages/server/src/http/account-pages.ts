import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { html } from '../web/html.js';
import { page } from '../web/layout.js';
import { sendPage } from './send-page.js';

/** The activation link mailed by auth.register. */
export function registerAccountPages(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { key: string } }>('/activate/:key', async (req, reply) => {
    const email = await services.accounts.activate(req.params.key);
    if (!email)
      return sendPage(
        reply,
        404,
        page(
          'Activation',
          html`<h1>This activation link is not valid</h1>
            <p>It may have been used already.</p>`,
        ),
      );
    return sendPage(
      reply,
      200,
      page(
        'Account activated',
        html`<h1>Your account is active</h1>
          <p>You can now log in as <b>${email}</b>.</p>`,
      ),
    );
  });
}
