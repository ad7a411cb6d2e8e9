/**
 * Logging in and out. `/login` is the page people use; `POST /login.html` takes the
 * original site's form (`username`, `password`, `remember`, `target`), which download
 * tools post to get the `ssal` cookie; a failed login sets no such cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { field, formError, formOf, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { seeOther, sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, endSessionCookie, safeNext, startSessionCookie, visitorOf, type Visitor } from '../visitor.js';

interface LoginForm {
  email: string;
  next: string;
  remember: boolean;
}

function loginPage(visitor: Visitor, form: LoginForm, errors: FieldErrors = {}, notice?: string): string {
  const body = html`<div class="card">
    <h1>${t.login.title}</h1>
    ${notice ? html`<p class="msg ok" role="status">${notice}</p>` : ''} ${formError(errors)}
    <form method="post" action="/login" novalidate>
      ${csrfInput(visitor)}
      <input type="hidden" name="next" value="${form.next}" />
      ${field(
        {
          name: 'email',
          label: t.login.email,
          type: 'email',
          value: form.email,
          autocomplete: 'username',
          required: true,
          autofocus: true,
        },
        errors,
      )}
      ${field({ name: 'password', label: t.login.password, type: 'password', autocomplete: 'current-password', required: true }, errors)}
      <div class="check">
        <input type="checkbox" id="f-remember" name="remember" value="1" ${form.remember ? html`checked` : ''} />
        <label for="f-remember">${t.login.remember}</label>
      </div>
      <div class="actions">
        <button type="submit">${t.login.submit}</button>
        <a href="/forgot">${t.login.forgot}</a>
      </div>
    </form>
    <p>${t.login.noAccount} <a href="/register">${t.login.register}</a></p>
  </div>`;
  return page({ title: t.login.title, body, visitor, path: '/login' });
}

export function registerLoginPages(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { next?: string; email?: string; out?: string } }>('/login', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const next = safeNext(req.query.next);
    if (visitor.user) return seeOther(reply, next);
    const form = { email: String(req.query.email ?? ''), next, remember: false };
    return sendPage(reply, 200, loginPage(visitor, form, {}, req.query.out === '1' ? t.login.loggedOut : undefined));
  });
  app.get('/login.html', (_req, reply) => seeOther(reply, '/login'));

  /** Both doors: the page's own names (email, next) and the original site's (username, target). */
  const login = async (req: FastifyRequest, reply: FastifyReply) => {
    const visitor = await visitorOf(req, reply, services);
    const f = formOf(req);
    const form: LoginForm = {
      email: (f.get('email') ?? f.get('username') ?? '').trim(),
      next: safeNext(f.get('next') ?? f.get('target')),
      remember: f.get('remember') === '1' || f.get('remember') === 'on',
    };
    const password = f.get('password') ?? '';
    const errors: FieldErrors = {};
    if (form.email === '') errors.email = t.login.emailRequired;
    if (password === '') errors.password = t.login.passwordRequired;
    if (Object.keys(errors).length > 0) return sendPage(reply, 400, loginPage(visitor, form, errors));
    const r = await services.webSessions.login({
      email: form.email,
      password,
      remember: form.remember,
      address: req.ip,
      userAgent: String(req.headers['user-agent'] ?? ''),
    });
    if (!r.ok) {
      const message =
        r.reason === 'blocked'
          ? t.login.blocked(r.retryAfterMinutes ?? 15)
          : r.reason === 'inactive'
            ? t.login.inactive
            : r.reason === 'disabled'
              ? t.login.disabled
              : t.login.wrong;
      return sendPage(reply, r.reason === 'blocked' ? 429 : 401, loginPage(visitor, form, { _form: message }));
    }
    startSessionCookie(reply, services, r.key, r.maxAgeSeconds);
    return seeOther(reply, form.next);
  };
  app.post('/login', login);
  app.post('/login.html', { config: { csrf: 'compat' } }, login);

  app.post('/logout', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    if (visitor.session) await services.webSessions.logout(visitor.session.keyHash);
    endSessionCookie(reply, services);
    return seeOther(reply, '/login?out=1');
  });
}
