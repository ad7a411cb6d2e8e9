/**
 * The delete page `/delete/<id>/<key>` (the `delete_url`). Tools read the phrase
 * "You are about to delete the folowing file" (sic), then post the THIRD `<form>` of the
 * page (each of its tags on its own line), which holds an input named `delete`, with
 * `submit=…`; the answer says "file has been successfully deleted". The layout's header
 * always holds one form and this page one before the delete form, so it is the third.
 * The key in the URL is the capability: no CSRF token is asked for.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { escapeHtml, html, unsafeRawHtml } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { visitorOf } from '../visitor.js';
import { fileFacts, fileHeading, fileSize } from './file-facts.js';
import { sendNotFound } from './not-found.js';

type DeleteRequest = FastifyRequest<{ Params: { id: string; key: string }; Querystring: { action?: string } }>;

export function registerDeletePage(app: FastifyInstance, services: Services): void {
  const handle = async (req: DeleteRequest, reply: FastifyReply) => {
    const visitor = await visitorOf(req, reply, services);
    const { id, key } = req.params;
    const file = await services.deleteLinks.find(id, key);
    if (!file) return sendNotFound(reply, { title: t.file.notFoundTitle, text: t.file.notFoundText, visitor });
    if (req.method === 'GET' && req.query.action !== '1') {
      // The delete form is built line by line: tools match its tags one per line.
      const deleteForm = unsafeRawHtml(
        [
          '<form method="post">',
          '<input type="hidden" name="delete" value="1" />',
          `<input type="submit" name="submit" value="${escapeHtml(t.del.button)}" class="button danger" />`,
          '</form>',
        ].join('\n'),
      );
      const body = html`<div class="card">
        <h1>${t.del.title}</h1>
        <p>${t.del.about}:</p>
        ${fileHeading(file)} ${fileSize(file)} ${fileFacts(file)}
        <p class="msg error">${t.del.warning}</p>
        <div class="actions">
          <form method="get" action="${services.links.downloadPage(file.id)}">
            <button type="submit" class="secondary">${t.file.download}</button>
          </form>
          ${deleteForm}
        </div>
      </div>`;
      return sendPage(reply, 200, page({ title: t.del.title, body, visitor }));
    }
    // The POST of that form, or a GET with ?action=1 (what one client sends).
    if (!(await services.deleteLinks.delete(id, key)))
      return sendNotFound(reply, { title: t.file.notFoundTitle, text: t.file.notFoundText, visitor });
    const body = html`<div class="card">
      <h1>${t.del.doneTitle}</h1>
      <p class="msg ok" role="status">${t.del.done}.</p>
      <p>${t.del.doneName(file.name)}</p>
    </div>`;
    return sendPage(reply, 200, page({ title: t.del.doneTitle, body, visitor }));
  };
  app.get('/delete/:id/:key', handle);
  app.post('/delete/:id/:key', { config: { csrf: 'exempt' } }, handle);
}
