/**
 * `GET /files`: the owner's folder (or a name search), one keyset page at a time.
 * `POST /files/folders` creates a folder. Every id in the URL is checked by the domain
 * against the visitor: another user's folder is the not-found page, like an unknown one.
 */
import { ApiError } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountStatus } from '../../../domain/account-status.js';
import { FILE_SORTS, type FileSort } from '../../../domain/library/file-listing.js';
import type { Services } from '../../../services.js';
import { field, formError, formOf, type FieldErrors } from '../../forms.js';
import { html } from '../../html.js';
import { page } from '../../layout.js';
import { seeOther, sendPage } from '../../send-page.js';
import { t } from '../../strings.js';
import { csrfInput, requireUser, type LoggedIn } from '../../visitor.js';
import { sendNotFound } from '../not-found.js';
import { notice, refusal, managerHead } from './manager-common.js';
import { breadcrumbs, filesUrl, folderTree, listing, usageBars, type ListingState } from './files-view.js';

const m = t.manager;
/** Files per page. */
export const FILES_PAGE_SIZE = 50;
const NAME_MAX = 255;

type FilesQuery = { folder?: string; sort?: string; order?: string; cursor?: string; q?: string; done?: string; n?: string };

function stateOf(q: FilesQuery): ListingState {
  const sort = (FILE_SORTS as readonly string[]).includes(q.sort ?? '') ? (q.sort as FileSort) : 'name';
  const folder = (q.folder ?? '').trim().toLowerCase();
  const search = q.q?.trim();
  return { folderId: folder === '' ? '0' : folder, sort, descending: q.order === 'desc', q: search ? search.slice(0, 200) : undefined };
}

async function render(
  req: FastifyRequest<{ Querystring: FilesQuery }>,
  reply: FastifyReply,
  services: Services,
  visitor: LoggedIn,
  create: { errors: FieldErrors; name: string } = { errors: {}, name: '' },
): Promise<FastifyReply> {
  const user = visitor.user;
  const state = stateOf(req.query);
  const tree = await services.fileListing.tree(user);
  const status = accountStatus(user, services.config.plans, services.clock.now());
  const query = {
    folderId: state.folderId,
    sort: state.sort,
    descending: state.descending,
    cursor: req.query.cursor,
    pageSize: FILES_PAGE_SIZE,
  };

  let heading;
  let body;
  if (state.q !== undefined) {
    const found = await services.fileListing.search(user, state.q, query);
    heading = html`<h1>${m.searchResults(state.q)}</h1>
      <p><a href="/files">${m.clearSearch}</a></p>`;
    body = listing({ state, page: found, folders: [], tree, visitor, readOnly: false });
  } else {
    let p;
    try {
      p = await services.fileListing.folderPage(user, query);
    } catch (err) {
      if (err instanceof ApiError && err.code === 10) return sendNotFound(reply, { visitor });
      throw err;
    }
    const readOnly = p.access !== 'owner';
    heading = html`${breadcrumbs(p.folder, tree)}
      <h1>${p.folder.id === '0' ? m.root : p.folder.name}</h1>
      ${
        p.folder.id !== '0' && !readOnly
          ? html`<p><a href="/files/folder/${p.folder.id}">${m.folderSettings}</a> · <a href="/">${m.upload}</a></p>`
          : html`<p><a href="/">${m.upload}</a></p>`
      }`;
    body = html`${
      readOnly
        ? html`<p class="muted">${m.teamFolder}</p>`
        : html`<form method="post" action="/files/folders" class="inline-form" novalidate>
            ${csrfInput(visitor)}
            <input type="hidden" name="parent" value="${state.folderId}" />
            ${field({ name: 'name', label: m.newFolderName, value: create.name, maxlength: NAME_MAX, required: true }, create.errors)}
            <button type="submit">${m.create}</button>
          </form>`
    }
    ${listing({ state, page: p, folders: p.folders, tree, visitor, readOnly })}`;
  }

  const content = html`<div class="manager">
    <aside class="side">
      <form method="get" action="/files" role="search" class="search">
        <label for="search-q">${m.search}</label>
        <input id="search-q" type="search" name="q" value="${state.q ?? ''}" maxlength="200" />
        <button type="submit" class="secondary">${m.searchButton}</button>
      </form>
      <nav aria-label="${m.tree}">
        <h2 class="small">${m.tree}</h2>
        ${folderTree(tree, state.q === undefined ? state.folderId : '')}
      </nav>
      ${usageBars(status)}
      <p><a href="/files/contacts">${m.addressBook}</a></p>
    </aside>
    <div class="card main-col">${heading} ${notice(req.query)} ${formError(create.errors)} ${body}</div>
  </div>`;
  return sendPage(
    reply,
    Object.keys(create.errors).length > 0 ? 400 : 200,
    page({ head: managerHead(), title: m.title, visitor, body: content, path: '/files', scripts: ['files.js'] }),
  );
}

export function registerFilesPage(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: FilesQuery }>('/files', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    return render(req, reply, services, visitor);
  });

  app.post<{ Querystring: FilesQuery }>('/files/folders', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const form = formOf(req);
    const name = form.get('name') ?? '';
    const parent = (form.get('parent') ?? '0').trim().toLowerCase() || '0';
    // Re-rendered for the folder the form was on, with what was typed.
    req.query = { folder: parent };
    if (name.trim().length > NAME_MAX) return render(req, reply, services, visitor, { errors: { name: m.errors.tooLong(NAME_MAX) }, name });
    try {
      await services.libraryFolders.create(visitor.user, { name, parentId: parent });
    } catch (err) {
      if (err instanceof ApiError && err.code === 10) return sendNotFound(reply, { visitor });
      return render(req, reply, services, visitor, { errors: { name: refusal(err) }, name });
    }
    return seeOther(
      reply,
      `${filesUrl({ folderId: parent, sort: 'name', descending: false, q: undefined })}${parent === '0' ? '?' : '&'}done=created`,
    );
  });
}
