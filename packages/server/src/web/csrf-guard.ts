/**
 * Every POST to a web page carries the visitor's CSRF token in the field `csrf`; this
 * hook refuses the ones that do not, before any handler runs. A route opts out only by
 * saying why in its config:
 *   `csrf: 'exempt'`  the URL or a field is itself the capability (a delete key, an
 *                     upload signature) or the POST changes nothing (a password that
 *                     unlocks a page), so a forged request gains nothing;
 *   `csrf: 'compat'`  a form posted by download tools (`/login.html`): a request with a
 *                     browser's Origin or Sec-Fetch-Site header needs the token like any
 *                     other, one without them comes from a script, which no other site
 *                     can make a victim's browser send.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import { formOf } from './forms.js';
import { html } from './html.js';
import { page } from './layout.js';
import { sendPage } from './send-page.js';
import { t } from './strings.js';
import { CSRF_FIELD, csrfMatches, visitorOf } from './visitor.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    csrf?: 'exempt' | 'compat';
  }
}

export function fromBrowser(req: FastifyRequest): boolean {
  return req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined;
}

export function sendCsrfRefusal(reply: FastifyReply, visitor: Awaited<ReturnType<typeof visitorOf>>): FastifyReply {
  return sendPage(
    reply,
    403,
    page({
      title: t.errors.csrfTitle,
      visitor,
      body: html`<div class="card">
        <h1>${t.errors.csrfTitle}</h1>
        <p class="msg error" role="alert">${t.errors.csrf}</p>
      </div>`,
    }),
  );
}

export function addCsrfGuard(scope: FastifyInstance, services: Services): void {
  scope.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const mode = req.routeOptions.config.csrf;
    if (mode === 'exempt') return;
    const visitor = await visitorOf(req, reply, services);
    if (csrfMatches(visitor, formOf(req).get(CSRF_FIELD))) return;
    if (mode === 'compat' && !fromBrowser(req)) return;
    return sendCsrfRefusal(reply, visitor);
  });
}
