/**
 * `POST /files/bulk`: the checked files and folders of a listing, moved to a folder or
 * deleted. Deleting asks once more on a page of its own (listing what goes), so a
 * stray click without JavaScript cannot lose anything. Ids go through the same domain
 * calls as files.moveToFolder / folders.move / files.delete / folders.delete: another
 * user's ids fail one by one, exactly like unknown ones.
 */
import { ApiError, FILE_ID_RE } from '@sendbay/protocol';
import type { FastifyInstance } from 'fastify';
import type { IdResult } from '../../../domain/library/id-results.js';
import type { Services } from '../../../services.js';
import { formOf } from '../../forms.js';
import { html } from '../../html.js';
import { page } from '../../layout.js';
import { seeOther, sendPage } from '../../send-page.js';
import { t } from '../../strings.js';
import { csrfInput, requireUser } from '../../visitor.js';
import { sendNotFound } from '../not-found.js';
import { managerHead } from './manager-common.js';

const m = t.manager;
/** At most this many items in one request (a page shows fewer). */
const MAX_ITEMS = 1000;

/** Only a `/files` address is a place to go back to. */
function backTo(raw: string | null): string {
  return typeof raw === 'string' && /^\/files(\?[^\s]*)?$/.test(raw) ? raw : '/files';
}

function withNotice(back: string, done: string, n?: number): string {
  return `${back}${back.includes('?') ? '&' : '?'}done=${done}${n === undefined ? '' : `&n=${n}`}`;
}

function ids(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim().toLowerCase()).filter((v) => FILE_ID_RE.test(v)))].slice(0, MAX_ITEMS);
}

const failures = (results: IdResult<unknown>[]) => results.filter((r) => r.error).length;

export function registerBulkActions(app: FastifyInstance, services: Services): void {
  app.post('/files/bulk', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const form = formOf(req);
    const back = backTo(form.get('back'));
    const files = ids(form.getAll('file'));
    const folders = ids(form.getAll('folder'));
    const action = form.get('action');
    if (files.length + folders.length === 0) return seeOther(reply, withNotice(back, 'none-selected'));
    const user = visitor.user;

    if (action === 'move') {
      const target = (form.get('target') ?? '0').trim().toLowerCase() || '0';
      let failed = 0;
      try {
        if (files.length > 0) failed += failures(await services.libraryFiles.moveToFolder(user, files, target));
        if (folders.length > 0) failed += failures(await services.libraryFolders.move(user, folders, target));
      } catch (err) {
        // The target itself is not one of the visitor's folders.
        if (err instanceof ApiError && (err.code === 10 || err.code === 11))
          return seeOther(reply, withNotice(back, 'some-failed', files.length + folders.length));
        throw err;
      }
      const moved = files.length + folders.length - failed;
      return seeOther(reply, failed > 0 ? withNotice(back, 'some-failed', failed) : withNotice(back, 'moved', moved));
    }

    if (action === 'delete' && form.get('confirm') === '1') {
      const failed =
        (files.length > 0 ? failures(await services.libraryFiles.delete(user, files)) : 0) +
        (folders.length > 0 ? failures(await services.libraryFolders.delete(user, folders)) : 0);
      const deleted = files.length + folders.length - failed;
      return seeOther(reply, failed > 0 ? withNotice(back, 'some-failed', failed) : withNotice(back, 'deleted', deleted));
    }

    if (action === 'delete') {
      // Name what would go, from what the visitor owns: foreign ids simply do not show.
      const fileViews = (await services.libraryFiles.getInfo(user, files)).flatMap((r) => (r.error || r.value.notOwned ? [] : [r.value]));
      const all = await services.fileListing.tree(user);
      const wanted = new Set(folders);
      const folderViews = all.filter((e) => wanted.has(e.folder.id)).map((e) => e.folder);
      if (fileViews.length + folderViews.length === 0) return sendNotFound(reply, { visitor });
      return sendPage(
        reply,
        200,
        page({
          head: managerHead(),
          title: m.delete,
          visitor,
          path: '/files',
          body: html`<div class="card">
            <h1>${m.delete}</h1>
            <p>${m.deleteConfirm}</p>
            <ul>
              ${folderViews.map((f) => html`<li>📁 ${f.name}</li>`)} ${fileViews.map((f) => html`<li>${f.name}</li>`)}
            </ul>
            <form method="post" action="/files/bulk">
              ${csrfInput(visitor)}
              <input type="hidden" name="back" value="${back}" />
              <input type="hidden" name="action" value="delete" />
              <input type="hidden" name="confirm" value="1" />
              ${folderViews.map((f) => html`<input type="hidden" name="folder" value="${f.id}" />`)}
              ${fileViews.map((f) => html`<input type="hidden" name="file" value="${f.id}" />`)}
              <div class="actions">
                <button type="submit" class="danger">${m.delete}</button>
                <a href="${back}">${t.manager.file.back}</a>
              </div>
            </form>
          </div>`,
        }),
      );
    }
    return seeOther(reply, back);
  });
}
