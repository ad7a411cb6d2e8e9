/**
 * `/account`: the visitor's plan and its limits, usage, and where they are logged in:
 * browser sessions and API sessions, each with a button that ends it. Sessions are
 * named by a prefix of their key's hash (useless for logging in) and only the
 * visitor's own are ever found by it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountStatus } from '../../domain/account-status.js';
import { humanSize, utcDate } from '../../lib/format.js';
import type { Services } from '../../services.js';
import { formOf } from '../forms.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { seeOther, sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../visitor.js';
import { usageBars } from './files/files-view.js';
import { managerHead } from './files/manager-common.js';

const a = t.account;
/** Hex characters of a key hash that name a session here. */
const HANDLE = 16;

function limit(n: number, format: (n: number) => string): string {
  return n < 0 ? a.unlimited : format(n);
}

function revokeForm(visitor: LoggedIn, kind: 'web' | 'api', handle: string, label: string): Html {
  return html`<form method="post" action="/account/sessions/revoke">
    ${csrfInput(visitor)}
    <input type="hidden" name="kind" value="${kind}" />
    <input type="hidden" name="handle" value="${handle}" />
    <button type="submit" class="secondary" aria-label="${a.revokeLabel(label)}">${a.revoke}</button>
  </form>`;
}

async function render(reply: FastifyReply, services: Services, visitor: LoggedIn, done: string | undefined): Promise<FastifyReply> {
  const user = visitor.user;
  const status = accountStatus(user, services.config.plans, services.clock.now());
  const [web, api] = await Promise.all([services.webSessions.list(user.id), services.auth.openSessions(user)]);
  const notices: Record<string, Html> = {
    revoked: html`<p class="msg ok" role="status">${a.revoked}</p>`,
    unknown: html`<p class="msg error" role="alert">${a.unknownSession}</p>`,
  };
  const ends = status.membershipEnds === -1 ? a.never : status.expired ? a.expired : utcDate(status.membershipEnds);
  const body = html`<div class="card">
    <h1>${a.title}</h1>
    ${done && Object.hasOwn(notices, done) ? notices[done] : ''}
    <dl class="facts">
      <dt>${a.plan}</dt>
      <dd>${a.planNames[status.plan] ?? status.plan}</dd>
      <dt>${a.until}</dt>
      <dd>${ends}</dd>
    </dl>
    <h2>${a.limits}</h2>
    <dl class="facts">
      <dt>${a.maxFile}</dt>
      <dd>${limit(status.limits.maxFileSize, humanSize)}</dd>
      <dt>${a.disk}</dt>
      <dd>${limit(status.limits.diskSpace, humanSize)}</dd>
      <dt>${a.bandwidth}</dt>
      <dd>${limit(status.limits.monthlyBandwidth, humanSize)}</dd>
      <dt>${a.contacts}</dt>
      <dd>${limit(status.limits.contacts, String)}</dd>
    </dl>
    ${usageBars(status)}
    <h2>${a.settings}</h2>
    <ul class="links">
      <li><a href="/account/password">${t.settings.passwordTitle}</a></li>
      <li><a href="/account/email">${t.settings.emailTitle}</a></li>
      <li><a href="/files/contacts">${a.addressBook}</a></li>
    </ul>
    <h2>${a.sessions}</h2>
    <h3>${a.webSessions}</h3>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">${a.device}</th>
            <th scope="col">${a.started}</th>
            <th scope="col">${a.lastUsed}</th>
            <th scope="col"><span class="sr-only">${a.revoke}</span></th>
          </tr>
        </thead>
        <tbody>
          ${web.map((s) => {
            const mine = s.key_hash === visitor.session.keyHash;
            const label = `${s.user_agent || '?'}${mine ? ` (${a.thisOne})` : ''}`;
            return html`<tr>
              <td>${label}</td>
              <td>${utcDate(s.created_at)}</td>
              <td>${utcDate(s.last_seen_at)}</td>
              <td>${revokeForm(visitor, 'web', s.key_hash.slice(0, HANDLE), label)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    <h3>${a.apiSessions}</h3>
    ${
      api.length === 0
        ? html`<p class="muted">${a.noSessions}</p>`
        : html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">${a.started}</th>
                  <th scope="col">${a.expires}</th>
                  <th scope="col"><span class="sr-only">${a.revoke}</span></th>
                </tr>
              </thead>
              <tbody>
                ${api.map(
                  (s) =>
                    html`<tr>
                      <td>${utcDate(s.createdAt)}</td>
                      <td>${utcDate(s.expiresAt)}</td>
                      <td>${revokeForm(visitor, 'api', s.handle, `${a.apiSessions} ${utcDate(s.createdAt)}`)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </div>`;
  return sendPage(reply, 200, page({ head: managerHead(), title: a.title, visitor, body, path: '/account' }));
}

export function registerAccountPage(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { done?: string } }>('/account', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    return render(reply, services, visitor, req.query.done);
  });

  app.post('/account/sessions/revoke', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const form = formOf(req);
    const handle = form.get('handle') ?? '';
    let ok = false;
    if (form.get('kind') === 'api') ok = await services.auth.revokeSession(visitor.user, handle);
    else if (/^[0-9a-f]{16}$/.test(handle)) {
      const match = (await services.webSessions.list(visitor.user.id)).find((s) => s.key_hash.startsWith(handle));
      ok = match ? await services.webSessions.revoke(visitor.user.id, match.key_hash) : false;
    }
    return seeOther(reply, `/account?done=${ok ? 'revoked' : 'unknown'}`);
  });
}
