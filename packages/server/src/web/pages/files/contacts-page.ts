/**
 * `/files/contacts`: the address book (addressbook.* on the web): add a contact, change
 * its name and note, delete it. Contacts are found by owner and address together, so
 * another user's contact is simply not there.
 */
import { ApiError, isValidEmail } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ContactRow } from '../../../domain/contacts.js';
import type { Services } from '../../../services.js';
import { field, formError, formOf, type FieldErrors } from '../../forms.js';
import { html } from '../../html.js';
import { page } from '../../layout.js';
import { seeOther, sendPage } from '../../send-page.js';
import { t } from '../../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../../visitor.js';
import { managerHead } from './manager-common.js';

const c = t.manager.contacts;
const TEXT_MAX = 200;
type Query = { Querystring: { done?: string } };

function row(contact: ContactRow, visitor: LoggedIn): ReturnType<typeof html> {
  const key = contact.email.replace(/[^a-z0-9]/g, '-');
  return html`<tr>
    <td>${contact.email}</td>
    <td>
      <form method="post" action="/files/contacts/update" class="inline-form">
        ${csrfInput(visitor)}
        <input type="hidden" name="email" value="${contact.email}" />
        <label class="sr-only" for="n-${key}">${c.name}</label>
        <input id="n-${key}" name="name" value="${contact.name}" maxlength="${TEXT_MAX}" />
        <label class="sr-only" for="d-${key}">${c.description}</label>
        <input id="d-${key}" name="description" value="${contact.description}" maxlength="${TEXT_MAX}" />
        <button type="submit" class="secondary">${c.save}</button>
      </form>
    </td>
    <td>${c.kinds[contact.type === 1 ? 1 : 0]}</td>
    <td>
      <form method="post" action="/files/contacts/delete">
        ${csrfInput(visitor)}
        <input type="hidden" name="email" value="${contact.email}" />
        <button type="submit" class="danger" aria-label="${c.delete} ${contact.email}">${c.delete}</button>
      </form>
    </td>
  </tr>`;
}

export function registerContactsPage(app: FastifyInstance, services: Services): void {
  const show = async (
    reply: FastifyReply,
    visitor: LoggedIn,
    o: { status?: number; errors?: FieldErrors; typed?: { email: string; name: string; description: string }; done?: string } = {},
  ) => {
    const contacts = await services.contacts.list(visitor.user.id);
    const errors = o.errors ?? {};
    const typed = o.typed ?? { email: '', name: '', description: '' };
    const done: Record<string, string> = { added: c.added, saved: c.saved, deleted: c.deleted };
    const body = html`<div class="card">
      <p><a href="/files">${t.manager.root}</a></p>
      <h1>${c.title}</h1>
      <p class="muted">${c.intro}</p>
      ${o.done && Object.hasOwn(done, o.done) ? html`<p class="msg ok" role="status">${done[o.done]}</p>` : ''} ${formError(errors)}
      <form method="post" action="/files/contacts" novalidate>
        ${csrfInput(visitor)}
        ${field({ name: 'email', label: c.email, type: 'email', value: typed.email, required: true, autocomplete: 'off' }, errors)}
        ${field({ name: 'name', label: c.name, value: typed.name, maxlength: TEXT_MAX }, errors)}
        ${field({ name: 'description', label: c.description, value: typed.description, maxlength: TEXT_MAX }, errors)}
        <div class="actions"><button type="submit">${c.add}</button></div>
      </form>
      ${
        contacts.length === 0
          ? html`<p class="muted">${c.empty}</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${c.email}</th>
                    <th scope="col">${c.name} / ${c.description}</th>
                    <th scope="col">${c.kind}</th>
                    <th scope="col"><span class="sr-only">${c.delete}</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${contacts.map((x) => row(x, visitor))}
                </tbody>
              </table>
            </div>`
      }
    </div>`;
    return sendPage(reply, o.status ?? 200, page({ head: managerHead(), title: c.title, visitor, body, path: '/files' }));
  };

  app.get<Query>('/files/contacts', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    return show(reply, visitor, { done: req.query.done });
  });

  app.post('/files/contacts', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const f = formOf(req);
    const typed = { email: (f.get('email') ?? '').trim(), name: f.get('name') ?? '', description: f.get('description') ?? '' };
    const errors: FieldErrors = {};
    if (!isValidEmail(typed.email.toLowerCase())) errors.email = c.badEmail;
    if (typed.name.length > TEXT_MAX) errors.name = t.manager.errors.tooLong(TEXT_MAX);
    if (typed.description.length > TEXT_MAX) errors.description = t.manager.errors.tooLong(TEXT_MAX);
    if (Object.keys(errors).length === 0) {
      try {
        await services.contacts.add(visitor.user, typed);
      } catch (err) {
        if (!(err instanceof ApiError) || (err.code !== 28 && err.code !== 32)) throw err;
        if (err.code === 28) errors.email = c.exists;
        else errors._form = c.full;
      }
    }
    if (Object.keys(errors).length > 0) return show(reply, visitor, { status: 400, errors, typed });
    return seeOther(reply, '/files/contacts?done=added');
  });

  app.post('/files/contacts/update', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const f = formOf(req);
    const name = (f.get('name') ?? '').slice(0, TEXT_MAX);
    const description = (f.get('description') ?? '').slice(0, TEXT_MAX);
    try {
      await services.contacts.update(visitor.user.id, f.get('email') ?? '', { name, description });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 29) throw err;
      return show(reply, visitor, { status: 404, errors: { _form: c.unknown } });
    }
    return seeOther(reply, '/files/contacts?done=saved');
  });

  app.post('/files/contacts/delete', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const { deleted } = await services.contacts.delete(visitor.user.id, [formOf(req).get('email') ?? '']);
    if (deleted.length === 0) return show(reply, visitor, { status: 404, errors: { _form: c.unknown } });
    return seeOther(reply, '/files/contacts?done=deleted');
  });
}
