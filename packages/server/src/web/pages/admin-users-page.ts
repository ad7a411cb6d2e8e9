/**
 * The operator pages: `/admin/users` (search by address or name, plan, state, usage,
 * paged by address) and `/admin/users/<id>` (change the plan, disable or enable), the
 * same account calls as `sendbay user set-plan / disable / enable`. Only accounts with
 * the admin flag (`sendbay user set-admin`) see them; to anyone else they do not exist.
 * Every change is a POST through the scope's CSRF guard.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PLAN_NAMES, type PlanName } from '../../config.js';
import { accountStatus } from '../../domain/account-status.js';
import { humanSize } from '../../lib/format.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Services } from '../../services.js';
import { field, formError, formOf, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { seeOther, sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../visitor.js';
import { sendNotFound } from './not-found.js';
import { managerHead } from './files/manager-common.js';

const ad = t.admin;
const PAGE_SIZE = 50;

async function requireAdmin(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<LoggedIn | null> {
  const visitor = await requireUser(req, reply, services);
  if (!visitor) return null;
  if (visitor.user.is_admin !== 1) {
    sendNotFound(reply, { visitor });
    return null;
  }
  return visitor;
}

function stateOf(u: UserRow): string {
  return u.disabled ? ad.states.disabled : u.activated ? ad.states.active : ad.states.inactive;
}

/** `YYYY-MM-DD` (00:00 UTC that day) when it is a real date; undefined otherwise. */
function dayStart(v: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const ms = Date.parse(`${v}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v ? undefined : ms / 1000;
}

export function registerAdminPages(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { q?: string; after?: string } }>('/admin/users', async (req, reply) => {
    const visitor = await requireAdmin(req, reply, services);
    if (!visitor) return reply;
    const q = (req.query.q ?? '').trim().slice(0, 200);
    const { users, next } = await services.accounts.page({ text: q, after: req.query.after, pageSize: PAGE_SIZE });
    const now = services.clock.now();
    const link = (after?: string) => {
      const p = new URLSearchParams();
      if (q) p.set('q', q);
      if (after) p.set('after', after);
      const s = p.toString();
      return s ? `/admin/users?${s}` : '/admin/users';
    };
    const body = html`<div class="card">
      <h1>${ad.title}</h1>
      <form method="get" action="/admin/users" role="search" class="search">
        <label for="admin-q">${ad.search}</label>
        <input id="admin-q" type="search" name="q" value="${q}" maxlength="200" />
        <button type="submit" class="secondary">${ad.searchButton}</button>
      </form>
      ${
        users.length === 0
          ? html`<p class="muted">${ad.none}</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${ad.email}</th>
                    <th scope="col">${ad.name}</th>
                    <th scope="col">${ad.plan}</th>
                    <th scope="col">${ad.state}</th>
                    <th scope="col">${ad.disk}</th>
                    <th scope="col">${ad.bandwidth}</th>
                  </tr>
                </thead>
                <tbody>
                  ${users.map((u) => {
                    const s = accountStatus(u, services.config.plans, now);
                    const bandwidth = s.limits.monthlyBandwidth < 0 ? null : s.limits.monthlyBandwidth - s.bandwidthLeft;
                    return html`<tr>
                      <td>
                        <a href="/admin/users/${u.id}">${u.email}</a>${u.is_admin ? html` <span class="badge">${ad.admin}</span>` : ''}
                      </td>
                      <td>${u.full_name}</td>
                      <td>${u.plan}${s.expired ? ` (${t.account.expired})` : ''}</td>
                      <td>${stateOf(u)}</td>
                      <td>${humanSize(u.diskspace_used)}</td>
                      <td>${bandwidth === null ? '—' : humanSize(bandwidth)}</td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>`
      }
      <nav aria-label="${t.manager.paging}" class="pager">
        ${req.query.after ? html`<a href="${link()}">${ad.first}</a>` : ''}
        ${next ? html`<a href="${link(next)}" rel="next">${ad.next}</a>` : ''}
      </nav>
    </div>`;
    return sendPage(reply, 200, page({ head: managerHead(), title: ad.title, visitor, body, path: '/admin/users' }));
  });

  const showUser = (
    reply: FastifyReply,
    visitor: LoggedIn,
    user: UserRow,
    o: { status?: number; errors?: FieldErrors; plan?: string; until?: string; done?: string } = {},
  ) => {
    const errors = o.errors ?? {};
    const until = o.until ?? (user.membership_ends ? new Date(user.membership_ends * 1000).toISOString().slice(0, 10) : '');
    const plan = o.plan ?? user.plan;
    const body = html`<div class="card">
      <p><a href="/admin/users">${ad.back}</a></p>
      <h1>${ad.userTitle(user.email)}</h1>
      ${o.done === 'saved' ? html`<p class="msg ok" role="status">${ad.saved}</p>` : ''}
      <dl class="facts">
        <dt>${ad.name}</dt>
        <dd>${user.full_name}</dd>
        <dt>${ad.state}</dt>
        <dd>${stateOf(user)}</dd>
        <dt>${ad.disk}</dt>
        <dd>${humanSize(user.diskspace_used)}</dd>
      </dl>
      <form method="post" action="/admin/users/${user.id}/plan" novalidate>
        <h2>${ad.setPlan}</h2>
        ${csrfInput(visitor)} ${formError(errors)}
        <div class="field${errors.plan ? ' invalid' : ''}">
          <label for="f-plan">${ad.plan}</label>
          <select id="f-plan" name="plan" ${errors.plan ? html`aria-describedby="f-plan-error" aria-invalid="true"` : ''}>
            ${PLAN_NAMES.map((p) => html`<option value="${p}" ${p === plan ? html`selected` : ''}>${t.account.planNames[p] ?? p}</option>`)}
          </select>
          ${errors.plan ? html`<p class="field-error" id="f-plan-error">${errors.plan}</p>` : ''}
        </div>
        ${field({ name: 'until', label: ad.until, value: until, hint: ad.untilHint }, errors)}
        <div class="actions"><button type="submit">${ad.setPlan}</button></div>
      </form>
      <form method="post" action="/admin/users/${user.id}/state">
        ${csrfInput(visitor)}
        <input type="hidden" name="disabled" value="${user.disabled ? '0' : '1'}" />
        <p class="hint">${ad.disabledNote}</p>
        <div class="actions">
          <button type="submit" class="${user.disabled ? 'secondary' : 'danger'}">${user.disabled ? ad.enable : ad.disable}</button>
        </div>
      </form>
    </div>`;
    return sendPage(
      reply,
      o.status ?? 200,
      page({ head: managerHead(), title: ad.userTitle(user.email), visitor, body, path: '/admin/users' }),
    );
  };

  const target = async (services: Services, id: string) => (/^[a-z0-9]{1,64}$/.test(id) ? services.accounts.find(id) : undefined);

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/admin/users/:id', async (req, reply) => {
    const visitor = await requireAdmin(req, reply, services);
    if (!visitor) return reply;
    const user = await target(services, req.params.id);
    if (!user) return sendNotFound(reply, { visitor });
    return showUser(reply, visitor, user, { done: req.query.done });
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/plan', async (req, reply) => {
    const visitor = await requireAdmin(req, reply, services);
    if (!visitor) return reply;
    const user = await target(services, req.params.id);
    if (!user) return sendNotFound(reply, { visitor });
    const f = formOf(req);
    const plan = f.get('plan') ?? '';
    const until = (f.get('until') ?? '').trim();
    const errors: FieldErrors = {};
    if (!(PLAN_NAMES as readonly string[]).includes(plan)) errors.plan = ad.badPlan;
    const ends = until === '' ? null : dayStart(until);
    if (ends === undefined) errors.until = ad.badDate;
    if (Object.keys(errors).length > 0) return showUser(reply, visitor, user, { status: 400, errors, plan, until });
    await services.accounts.setPlan(user, plan as PlanName, ends ?? null);
    return seeOther(reply, `/admin/users/${user.id}?done=saved`);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/state', async (req, reply) => {
    const visitor = await requireAdmin(req, reply, services);
    if (!visitor) return reply;
    const user = await target(services, req.params.id);
    if (!user) return sendNotFound(reply, { visitor });
    await services.accounts.setDisabled(user, formOf(req).get('disabled') === '1');
    return seeOther(reply, `/admin/users/${user.id}?done=saved`);
  });
}
