/**
 * The download page `/file/<id>` (the `download_url` and `download_page_url` handed
 * out), with its password form. Download tools read the first
 * `<a id="download_button" href="…">` and a second one with
 * `class="download_page_button button1"`, the name in `<h2 class="bgray"><b>…</b></h2>`
 * and the size in `<div class="file_description …"><b>File Size:</b> 1.5MB</div>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PageView } from '../../domain/downloads/downloads.js';
import type { Services } from '../../services.js';
import { formOf } from '../forms.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { visitorOf } from '../visitor.js';
import { fileFacts, fileHeading, fileSize } from './file-facts.js';
import { sendNotFound } from './not-found.js';
import { passwordForm } from './password-form.js';

function downloadAction(view: PageView): Html {
  switch (view.state) {
    case 'ok':
      return html`<p class="actions">
          <a id="download_button" href="${view.link}" class="button" rel="nofollow">${t.file.download}</a>
        </p>
        <p class="muted">
          <a id="download_button" class="download_page_button button1" href="${view.link}" rel="nofollow">${view.file.name}</a>
        </p>`;
    case 'password-required':
      return passwordForm({ intro: t.password.fileProtected, button: t.password.unlock });
    case 'wrong-password':
      return passwordForm({ intro: t.password.fileProtected, button: t.password.unlock, wrong: true });
    case 'too-many-attempts':
      return html`<p class="msg error" role="alert">${t.password.tooManyFile}</p>`;
    case 'bandwidth':
      return html`<p class="msg error" role="alert">${t.file.bandwidth}</p>`;
    case 'unavailable':
      return html`<p class="msg error" role="alert">${t.file.unavailable}</p>`;
  }
}

export function registerFilePage(app: FastifyInstance, services: Services): void {
  const showFile = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, password?: string) => {
    const visitor = await visitorOf(req, reply, services);
    const view = await services.downloads.pageView(req.params.id.toLowerCase(), password, req.ip);
    // A file that can never be downloaded again reads like a dead link, as tools expect.
    if (!view || view.state === 'unavailable')
      return sendNotFound(reply, { title: t.file.notFoundTitle, text: t.file.notFoundText, visitor });
    const body = html`<div class="card">
      <h1 class="muted">${t.file.download}</h1>
      ${fileHeading(view.file)} ${fileSize(view.file)} ${fileFacts(view.file)} ${downloadAction(view)}
    </div>`;
    return sendPage(reply, 200, page({ title: view.file.name, body, visitor }));
  };
  app.get<{ Params: { id: string } }>('/file/:id', (req, reply) => showFile(req, reply));
  // A password only unlocks a view (and is rate limited): it changes nothing, so download
  // tools may post it without a CSRF token.
  app.post<{ Params: { id: string } }>('/file/:id', { config: { csrf: 'exempt' } }, (req, reply) =>
    showFile(req, reply, formOf(req).get('password') ?? ''),
  );
}
