/**
 * The public pages of a file: the download page `/file/<id>` (the `download_url` and
 * `download_page_url` handed out) with its password form, and the delete page
 * `/delete/<id>/<key>` (the `delete_url`). Scrapers of the original service read
 * `<a id="download_button" href="…">` (id first, absolute href) and `<b>File Size:</b>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PageView } from '../domain/downloads/downloads.js';
import type { FileRow } from '../metadata/repositories/files.js';
import type { Services } from '../services.js';
import { html, type Html } from '../web/html.js';
import { page } from '../web/layout.js';
import { sendPage } from './send-page.js';
import { humanSize, utcDate } from '../lib/format.js';

const PASSWORD_FORM = html`<form method="post">
  <p>
    <label>Password <input type="password" name="password" required autofocus /></label> <button type="submit">Unlock</button>
  </p>
</form>`;

function downloadAction(view: PageView): Html {
  switch (view.state) {
    case 'ok':
      return html`<p><a id="download_button" href="${view.link}" class="button" rel="nofollow">Download</a></p>`;
    case 'password-required':
      return html`<p>This file is protected by a password.</p>
        ${PASSWORD_FORM}`;
    case 'wrong-password':
      return html`<p class="error">Wrong password, please try again.</p>
        ${PASSWORD_FORM}`;
    case 'too-many-attempts':
      return html`<p class="error">Too many wrong passwords for this file. Please try again later.</p>`;
    case 'bandwidth':
      return html`<p class="error">This file cannot be downloaded right now: its owner's monthly bandwidth is used up.</p>`;
    case 'unavailable':
      return html`<p class="error">This file is no longer available for download.</p>`;
  }
}

function fileDetails(file: FileRow): Html {
  return html`<h1>${file.name}</h1>
    <p><b>File Size:</b> ${humanSize(file.size)}${file.size >= 1024 ? ` (${file.size} bytes)` : ''}</p>
    <p><b>Uploaded:</b> ${utcDate(file.upload_time)}</p>
    ${file.description ? html`<p><b>Description:</b> ${file.description}</p>` : ''}`;
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendPage(
    reply,
    404,
    page(
      'File not found',
      html`<h1>File not found</h1>
        <p>The file may have been deleted, or the link is wrong.</p>`,
    ),
  );
}

/** The `password` field of a urlencoded form (the app hands urlencoded bodies over as a string). */
function formPassword(req: FastifyRequest): string {
  return typeof req.body === 'string' ? (new URLSearchParams(req.body).get('password') ?? '') : '';
}

export function registerFilePages(app: FastifyInstance, services: Services): void {
  const showFile = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, password?: string) => {
    const view = await services.downloads.pageView(req.params.id.toLowerCase(), password, req.ip);
    if (!view) return notFound(reply);
    return sendPage(reply, 200, page(view.file.name, html`${fileDetails(view.file)} ${downloadAction(view)}`));
  };
  app.get<{ Params: { id: string } }>('/file/:id', (req, reply) => showFile(req, reply));
  app.post<{ Params: { id: string } }>('/file/:id', (req, reply) => showFile(req, reply, formPassword(req)));

  type DeleteRequest = FastifyRequest<{ Params: { id: string; key: string }; Querystring: { action?: string } }>;
  const deleted = (reply: FastifyReply, file: FileRow) =>
    sendPage(
      reply,
      200,
      page(
        'File deleted',
        html`<h1>File deleted</h1>
          <p><b>${file.name}</b> has been deleted.</p>`,
      ),
    );
  const confirmDelete = async (req: DeleteRequest, reply: FastifyReply) => {
    const { id, key } = req.params;
    const file = await services.deleteLinks.find(id, key);
    if (!file) return notFound(reply);
    if (req.method === 'GET' && req.query.action !== '1') {
      return sendPage(
        reply,
        200,
        page(
          'Delete file',
          html`${fileDetails(file)}
            <p>Do you really want to delete this file? This cannot be undone.</p>
            <form method="post"><button type="submit" class="danger">Delete file</button></form>`,
        ),
      );
    }
    // The POST of that form, or a GET with ?action=1 (what one client sends).
    if (!(await services.deleteLinks.delete(id, key))) return notFound(reply);
    return deleted(reply, file);
  };
  app.get('/delete/:id/:key', confirmDelete);
  app.post('/delete/:id/:key', confirmDelete);
}
