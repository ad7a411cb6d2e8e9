/** `/register`: a new account, as auth.register makes it; the activation link goes by mail. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { field, formError, formOf, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, visitorOf, type Visitor } from '../visitor.js';
import { problemTexts } from './problems.js';

function registerPage(visitor: Visitor, values: { fullName: string; email: string }, errors: FieldErrors = {}): string {
  const body = html`<div class="card">
    <h1>${t.register.title}</h1>
    ${formError(errors)}
    <form method="post" action="/register" novalidate>
      ${csrfInput(visitor)}
      ${field(
        {
          name: 'fullName',
          label: t.register.fullName,
          value: values.fullName,
          hint: t.register.fullNameHint,
          autocomplete: 'name',
          required: true,
          autofocus: true,
          maxlength: 100,
        },
        errors,
      )}
      ${field({ name: 'email', label: t.register.email, type: 'email', value: values.email, autocomplete: 'email', required: true }, errors)}
      ${field({ name: 'password', label: t.register.password, type: 'password', hint: t.register.passwordHint, autocomplete: 'new-password', maxlength: 20 }, errors)}
      ${field({ name: 'confirm', label: t.register.confirm, type: 'password', autocomplete: 'new-password', maxlength: 20 }, errors)}
      <div class="actions"><button type="submit">${t.register.submit}</button></div>
    </form>
    <p>${t.register.haveAccount} <a href="/login">${t.login.title}</a></p>
  </div>`;
  return page({ title: t.register.title, body, visitor, path: '/register' });
}

export function registerRegisterPage(app: FastifyInstance, services: Services): void {
  app.get('/register', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    if (services.config.registration !== 'open')
      return sendPage(reply, 403, registerPage(visitor, { fullName: '', email: '' }, { _form: t.register.closed }));
    return sendPage(reply, 200, registerPage(visitor, { fullName: '', email: '' }));
  });
  app.post('/register', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const f = formOf(req);
    const values = { fullName: f.get('fullName') ?? '', email: (f.get('email') ?? '').trim() };
    const problems = await services.webAccounts.register({ ...values, password: f.get('password') ?? '', confirm: f.get('confirm') ?? '' });
    if (Object.keys(problems).length > 0) return sendPage(reply, 400, registerPage(visitor, values, problemTexts(problems)));
    const body = html`<div class="card">
      <h1>${t.register.sentTitle}</h1>
      <p class="msg ok" role="status">${t.register.sent(values.email.toLowerCase())}</p>
    </div>`;
    return sendPage(reply, 200, page({ title: t.register.sentTitle, body, visitor }));
  });
}
