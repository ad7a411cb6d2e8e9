/**
 * `/files/folder/<id>`: one of the visitor's folders: rename, move, public on/off with
 * its public link and RSS feed, a password for the public page, team sharing (business
 * accounts, top-level folders), delete. A team mate's folder or anyone else's is the
 * not-found page here: only the owner changes a folder.
 */
import { ApiError } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountStatus } from '../../../domain/account-status.js';
import type { FolderInfoChanges } from '../../../domain/library/folders.js';
import type { FolderView } from '../../../domain/library/views.js';
import type { UserRow } from '../../../metadata/repositories/users.js';
import type { Services } from '../../../services.js';
import { field, formError, formOf, type FieldErrors } from '../../forms.js';
import { html } from '../../html.js';
import { page } from '../../layout.js';
import { seeOther, sendPage } from '../../send-page.js';
import { t } from '../../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../../visitor.js';
import { sendNotFound } from '../not-found.js';
import { folderOptions, notice, refusal, managerHead } from './manager-common.js';

const m = t.manager;
const ft = m.folder;
const NAME_MAX = 255;
const PASSWORD_MAX = 100;

type Params = { Params: { id: string }; Querystring: { done?: string; n?: string } };

interface FolderForm {
  name: string;
  parent: string;
  shared: boolean;
  businessShared: boolean;
}

async function ownFolder(services: Services, user: UserRow, rawId: string): Promise<FolderView | undefined> {
  const id = rawId.trim().toLowerCase();
  if (id === '0' || id === '') return undefined;
  try {
    const { folder } = await services.libraryFolders.getInfo(user, id);
    return folder.notOwned ? undefined : folder;
  } catch (err) {
    if (err instanceof ApiError && err.code === 10) return undefined;
    throw err;
  }
}

export function registerFolderSettingsPage(app: FastifyInstance, services: Services): void {
  const show = async (
    reply: FastifyReply,
    visitor: LoggedIn,
    folder: FolderView,
    o: { status?: number; form?: FolderForm; errors?: FieldErrors; query?: Params['Querystring'] } = {},
  ) => {
    const form = o.form ?? { name: folder.name, parent: folder.parentId, shared: folder.shared, businessShared: folder.businessShared };
    const errors = o.errors ?? {};
    const tree = await services.fileListing.tree(visitor.user);
    const status = accountStatus(visitor.user, services.config.plans, services.clock.now());
    const teamSharing = status.plan === 'business' && !status.expired;
    const box = (name: string, label: string, checked: boolean) =>
      html`<div class="check">
        <input type="checkbox" id="f-${name}" name="${name}" value="1" ${checked ? html`checked` : ''} />
        <label for="f-${name}">${label}</label>
      </div>`;
    const body = html`<div class="card">
      <p><a href="/files?folder=${folder.id}">${ft.open}</a></p>
      <h1>${ft.title(folder.name)}</h1>
      ${notice(o.query ?? {})}
      ${
        folder.shared
          ? html`<div class="share">
              <label for="public-link">${ft.publicLink}</label>
              <input id="public-link" type="text" readonly value="${folder.publicUrl}" />
              <button type="button" class="secondary" data-copy="public-link" data-copied="${m.file.copied}" hidden>${m.file.copy}</button>
              <p><a href="${folder.rssUrl}">${ft.rss}</a></p>
            </div>`
          : ''
      }
      <form method="post" action="/files/folder/${folder.id}" novalidate>
        ${csrfInput(visitor)} ${formError(errors)}
        ${field({ name: 'name', label: ft.name, value: form.name, required: true, maxlength: NAME_MAX }, errors)}
        <div class="field${errors.parent ? ' invalid' : ''}">
          <label for="f-parent">${ft.parent}</label>
          <select id="f-parent" name="parent" ${errors.parent ? html`aria-describedby="f-parent-error" aria-invalid="true"` : ''}>
            ${folderOptions(tree, form.parent, folder.id)}
          </select>
          ${errors.parent ? html`<p class="field-error" id="f-parent-error">${errors.parent}</p>` : ''}
        </div>
        ${box('shared', ft.shared, form.shared)}
        ${field({ name: 'password', label: ft.password, type: 'password', hint: ft.passwordHint, autocomplete: 'new-password', maxlength: PASSWORD_MAX }, errors)}
        ${folder.folderPassword !== undefined ? box('no_password', `${ft.password}: ✗`, false) : ''}
        ${teamSharing ? html`<input type="hidden" name="business_shown" value="1" />${box('business_shared', ft.businessShared, form.businessShared)}` : ''}
        <div class="actions"><button type="submit">${ft.save}</button></div>
      </form>
      <form method="post" action="/files/folder/${folder.id}/delete">
        <h2>${ft.deleteTitle}</h2>
        <p>${ft.deleteText}</p>
        ${csrfInput(visitor)}
        <div class="actions"><button type="submit" class="danger">${ft.deleteButton}</button></div>
      </form>
    </div>`;
    return sendPage(reply, o.status ?? 200, page({ head: managerHead(), title: ft.title(folder.name), visitor, body, path: '/files' }));
  };

  app.get<Params>('/files/folder/:id', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const folder = await ownFolder(services, visitor.user, req.params.id);
    if (!folder) return sendNotFound(reply, { visitor });
    return show(reply, visitor, folder, { query: req.query });
  });

  app.post<Params>('/files/folder/:id', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const folder = await ownFolder(services, visitor.user, req.params.id);
    if (!folder) return sendNotFound(reply, { visitor });
    const f = formOf(req);
    const form: FolderForm = {
      name: f.get('name') ?? '',
      parent: (f.get('parent') ?? '0').trim().toLowerCase() || '0',
      shared: f.get('shared') === '1',
      businessShared: f.get('business_shared') === '1',
    };
    const errors: FieldErrors = {};
    const changes: FolderInfoChanges = {};
    if (form.name.trim() === '') errors.name = m.errors.emptyName;
    else if (form.name.trim().length > NAME_MAX) errors.name = m.errors.tooLong(NAME_MAX);
    else if (form.name.trim() !== folder.name) changes.name = form.name;
    if (form.parent !== folder.parentId) changes.parentId = form.parent;
    if (form.shared !== folder.shared) changes.shared = form.shared ? 1 : 0;
    const password = f.get('password') ?? '';
    if (f.get('no_password') === '1') changes.folderPassword = '';
    else if (password.length > PASSWORD_MAX) errors.password = m.errors.tooLong(PASSWORD_MAX);
    else if (password !== '') changes.folderPassword = password;
    if (f.get('business_shown') === '1' && form.businessShared !== folder.businessShared)
      changes.businessShared = form.businessShared ? 1 : 0;
    if (Object.keys(errors).length === 0 && Object.keys(changes).length > 0) {
      try {
        await services.libraryFolders.setInfo(visitor.user, folder.id, changes);
      } catch (err) {
        const text = refusal(err);
        if (text === m.errors.unknownFolder || text === m.errors.intoItself) errors.parent = text;
        else if (text === m.errors.emptyName || text === m.errors.controlChars) errors.name = text;
        else errors._form = text;
      }
    }
    if (Object.keys(errors).length > 0) return show(reply, visitor, folder, { status: 400, form, errors });
    return seeOther(reply, `/files/folder/${folder.id}?done=saved`);
  });

  app.post<Params>('/files/folder/:id/delete', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const folder = await ownFolder(services, visitor.user, req.params.id);
    if (!folder) return sendNotFound(reply, { visitor });
    const [r] = await services.libraryFolders.delete(visitor.user, [folder.id]);
    if (r?.error) return sendNotFound(reply, { visitor });
    return seeOther(reply, `${folder.parentId === '0' ? '/files?' : `/files?folder=${folder.parentId}&`}done=folder-deleted`);
  });
}
