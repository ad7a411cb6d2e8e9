/**
 * A logged-in person's password and e-mail address: `/account/password`, and
 * `/account/email`, whose change takes effect from the link mailed to the new address
 * (opened, it shows a button; the POST of that button changes the address).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { field, formError, formOf, type FieldErrors } from '../forms.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../visitor.js';
import { problemTexts } from './problems.js';

function card(title: string, inner: Html): Html {
  return html`<div class="card">
    <h1>${title}</h1>
    ${inner}
  </div>`;
}

function passwordPage(v: LoggedIn, errors: FieldErrors = {}, notice?: string): string {
  const body = card(
    t.settings.passwordTitle,
    html`${notice ? html`<p class="msg ok" role="status">${notice}</p>` : ''} ${formError(errors)}
      <form method="post" action="/account/password" novalidate>
        ${csrfInput(v)}
        <input type="text" name="username" value="${v.user.email}" autocomplete="username" hidden />
        ${field({ name: 'current', label: t.settings.current, type: 'password', autocomplete: 'current-password', required: true }, errors)}
        ${field({ name: 'password', label: t.settings.newPassword, type: 'password', hint: t.reset.hint, autocomplete: 'new-password', required: true, maxlength: 20 }, errors)}
        ${field({ name: 'confirm', label: t.settings.confirm, type: 'password', autocomplete: 'new-password', required: true, maxlength: 20 }, errors)}
        <div class="actions"><button type="submit">${t.settings.submitPassword}</button></div>
      </form>`,
  );
  return page({ title: t.settings.passwordTitle, body, visitor: v });
}

function emailPage(v: LoggedIn, email: string, errors: FieldErrors = {}, notice?: string): string {
  const body = card(
    t.settings.emailTitle,
    html`${notice ? html`<p class="msg ok" role="status">${notice}</p>` : ''} ${formError(errors)}
      <form method="post" action="/account/email" novalidate>
        ${csrfInput(v)}
        ${field({ name: 'email', label: t.settings.newEmail, type: 'email', value: email, autocomplete: 'email', required: true }, errors)}
        ${field({ name: 'current', label: t.settings.current, type: 'password', autocomplete: 'current-password', required: true }, errors)}
        <div class="actions"><button type="submit">${t.settings.submitEmail}</button></div>
      </form>`,
  );
  return page({ title: t.settings.emailTitle, body, visitor: v });
}

export function registerSettingsPages(app: FastifyInstance, services: Services): void {
  app.get('/account/password', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    return v ? sendPage(reply, 200, passwordPage(v)) : reply;
  });
  app.post('/account/password', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    if (!v) return reply;
    const f = formOf(req);
    const problems = await services.webAccounts.changePassword(v.user, v.session.keyHash, {
      current: f.get('current') ?? '',
      password: f.get('password') ?? '',
      confirm: f.get('confirm') ?? '',
    });
    if (Object.keys(problems).length > 0) return sendPage(reply, 400, passwordPage(v, problemTexts(problems)));
    return sendPage(reply, 200, passwordPage(v, {}, t.settings.passwordDone));
  });

  app.get('/account/email', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    return v ? sendPage(reply, 200, emailPage(v, '')) : reply;
  });
  app.post('/account/email', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    if (!v) return reply;
    const f = formOf(req);
    const email = (f.get('email') ?? '').trim();
    const problems = await services.webAccounts.requestEmailChange(v.user, { email, current: f.get('current') ?? '' });
    if (Object.keys(problems).length > 0) return sendPage(reply, 400, emailPage(v, email, problemTexts(problems)));
    return sendPage(reply, 200, emailPage(v, '', {}, t.settings.emailSent(email.toLowerCase())));
  });

  app.get<{ Params: { token: string } }>('/account/email/:token', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    if (!v) return reply;
    const email = services.webAccounts.emailChangeTarget(v.user, req.params.token);
    if (!email)
      return sendPage(
        reply,
        404,
        page({
          title: t.settings.emailTitle,
          visitor: v,
          body: card(t.settings.emailTitle, html`<p class="msg error" role="alert">${t.settings.emailInvalid}</p>`),
        }),
      );
    const body = card(
      t.settings.emailConfirmTitle,
      html`<p>${t.settings.emailConfirm(email)}</p>
        <form method="post">${csrfInput(v)}<button type="submit">${t.settings.emailConfirmButton}</button></form>`,
    );
    return sendPage(reply, 200, page({ title: t.settings.emailConfirmTitle, body, visitor: v }));
  });
  app.post<{ Params: { token: string } }>('/account/email/:token', async (req, reply) => {
    const v = await requireUser(req, reply, services);
    if (!v) return reply;
    const email = await services.webAccounts.confirmEmailChange(v.user, req.params.token);
    const inner = email
      ? html`<p class="msg ok" role="status">${t.settings.emailDone(email)}</p>`
      : html`<p class="msg error" role="alert">${t.settings.emailInvalid}</p>`;
    return sendPage(reply, email ? 200 : 404, page({ title: t.settings.emailTitle, visitor: v, body: card(t.settings.emailTitle, inner) }));
  });
}
