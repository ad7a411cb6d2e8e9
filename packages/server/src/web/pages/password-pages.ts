/** A forgotten password: `/forgot` mails a link, `/reset/<token>` sets the new password (once). */
import type { FastifyInstance } from 'fastify';
import { isValidEmail } from '@sendbay/protocol';
import type { Services } from '../../services.js';
import { field, formError, formOf, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, visitorOf, type Visitor } from '../visitor.js';
import { problemTexts } from './problems.js';

function forgotPage(visitor: Visitor, email: string, errors: FieldErrors = {}): string {
  const body = html`<div class="card">
    <h1>${t.forgot.title}</h1>
    <p>${t.forgot.intro}</p>
    ${formError(errors)}
    <form method="post" action="/forgot" novalidate>
      ${csrfInput(visitor)}
      ${field({ name: 'email', label: t.forgot.email, type: 'email', value: email, autocomplete: 'email', required: true, autofocus: true }, errors)}
      <div class="actions"><button type="submit">${t.forgot.submit}</button></div>
    </form>
  </div>`;
  return page({ title: t.forgot.title, body, visitor });
}

function resetPage(visitor: Visitor, token: string, errors: FieldErrors = {}): string {
  const body = html`<div class="card">
    <h1>${t.reset.title}</h1>
    ${formError(errors)}
    <form method="post" action="/reset/${token}" novalidate>
      ${csrfInput(visitor)}
      ${field({ name: 'password', label: t.reset.password, type: 'password', hint: t.reset.hint, autocomplete: 'new-password', required: true, autofocus: true, maxlength: 20 }, errors)}
      ${field({ name: 'confirm', label: t.reset.confirm, type: 'password', autocomplete: 'new-password', required: true, maxlength: 20 }, errors)}
      <div class="actions"><button type="submit">${t.reset.submit}</button></div>
    </form>
  </div>`;
  return page({ title: t.reset.title, body, visitor });
}

function invalidLink(visitor: Visitor): string {
  const body = html`<div class="card">
    <h1>${t.reset.title}</h1>
    <p class="msg error" role="alert">${t.reset.invalid}</p>
    <p><a href="/forgot">${t.reset.again}</a></p>
  </div>`;
  return page({ title: t.reset.title, body, visitor });
}

export function registerPasswordPages(app: FastifyInstance, services: Services): void {
  app.get('/forgot', async (req, reply) => sendPage(reply, 200, forgotPage(await visitorOf(req, reply, services), '')));
  app.post('/forgot', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const email = (formOf(req).get('email') ?? '').trim();
    if (!isValidEmail(email)) return sendPage(reply, 400, forgotPage(visitor, email, { email: t.forgot.badEmail }));
    const r = await services.webAccounts.forgot(email, req.ip).catch((err: unknown) => {
      req.log.warn({ err }, 'password reset mail not sent');
      return 'sent' as const; // the answer must not tell whether the address has an account
    });
    if (r === 'blocked') return sendPage(reply, 429, forgotPage(visitor, email, { _form: t.errors.tooMany(15) }));
    const body = html`<div class="card">
      <h1>${t.forgot.sentTitle}</h1>
      <p class="msg ok" role="status">${t.forgot.sent}</p>
    </div>`;
    return sendPage(reply, 200, page({ title: t.forgot.sentTitle, body, visitor }));
  });

  app.get<{ Params: { token: string } }>('/reset/:token', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    if (!(await services.webAccounts.resetTarget(req.params.token))) return sendPage(reply, 404, invalidLink(visitor));
    return sendPage(reply, 200, resetPage(visitor, req.params.token));
  });
  app.post<{ Params: { token: string } }>('/reset/:token', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const f = formOf(req);
    const r = await services.webAccounts.reset(req.params.token, f.get('password') ?? '', f.get('confirm') ?? '');
    if (r === 'invalid') return sendPage(reply, 404, invalidLink(visitor));
    if (Object.keys(r).length > 0) return sendPage(reply, 400, resetPage(visitor, req.params.token, problemTexts(r)));
    const body = html`<div class="card">
      <h1>${t.reset.doneTitle}</h1>
      <p class="msg ok" role="status">${t.reset.done}</p>
      <p><a class="button" href="/login">${t.login.submit}</a></p>
    </div>`;
    return sendPage(reply, 200, page({ title: t.reset.doneTitle, body, visitor }));
  });
}
