/**
 * The activation link mailed at registration. Opening it only shows a button: the POST
 * of that button activates, because mail scanners follow links (a GET that activated
 * would let them activate accounts nobody confirmed).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, visitorOf, type Visitor } from '../visitor.js';

/** The answer to an unknown, used or expired activation key, on GET and POST alike. */
function invalidKeyPage(visitor: Visitor) {
  return page({
    title: t.activation.invalidTitle,
    visitor,
    body: html`<div class="card">
      <h1>${t.activation.invalid}</h1>
      <p>${t.activation.invalidText}</p>
    </div>`,
  });
}

export function registerActivationPage(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { key: string } }>('/activate/:key', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    if (!(await services.accounts.activationPending(req.params.key))) return sendPage(reply, 404, invalidKeyPage(visitor));
    const body = html`<div class="card">
      <h1>${t.activation.title}</h1>
      <p>${t.activation.confirm}</p>
      <form method="post">${csrfInput(visitor)}<button type="submit">${t.activation.button}</button></form>
    </div>`;
    return sendPage(reply, 200, page({ title: t.activation.title, body, visitor }));
  });

  app.post<{ Params: { key: string } }>('/activate/:key', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const email = await services.accounts.activate(req.params.key);
    if (!email) return sendPage(reply, 404, invalidKeyPage(visitor));
    const body = html`<div class="card">
      <h1>${t.activation.done}</h1>
      <p>${t.activation.doneText(email)}</p>
      <p><a class="button" href="/login?email=${encodeURIComponent(email)}">${t.login.submit}</a></p>
    </div>`;
    return sendPage(reply, 200, page({ title: t.activation.doneTitle, body, visitor }));
  });
}
