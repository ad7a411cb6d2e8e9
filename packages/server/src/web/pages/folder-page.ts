/**
 * The public pages of a folder shared with `shared=1`: the HTML page `/folder/<id>`
 * (the `public_url` handed out) listing its files and public sub-folders, and its
 * RSS 2.0 feed `/folder/<id>/rss` (the `rss_url`). A private or unknown folder is the
 * plain not-found page, never "this folder is private". A folder password is asked by
 * a form on the page and taken as `?password=` by the feed. Tools read each file as
 * `<a class="dl" align="center" href="/file/<id>" title="NAME">`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SharedContents } from '../../domain/library/shared-folders.js';
import { humanSize, utcDate } from '../../lib/format.js';
import type { Services } from '../../services.js';
import { PAGE_CSP } from '../csp.js';
import { formOf } from '../forms.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { visitorOf, type Visitor } from '../visitor.js';
import { folderFeed } from './folder-feed.js';
import { sendNotFound } from './not-found.js';
import { passwordForm } from './password-form.js';

function listing(c: SharedContents, visitor: Visitor): string {
  const folders =
    c.folders.length === 0
      ? ''
      : html`<h2>${t.folder.folders}</h2>
          <ul class="folders">
            ${c.folders.map((f) => html`<li><a href="${f.publicUrl}">${f.name}</a></li>`)}
          </ul>`;
  const files =
    c.files.length === 0
      ? html`<p class="muted">${t.folder.empty}</p>`
      : html`<table class="files">
          <thead>
            <tr>
              <th scope="col">${t.folder.name}</th>
              <th scope="col">${t.folder.size}</th>
              <th scope="col">${t.folder.uploaded}</th>
            </tr>
          </thead>
          <tbody>
            ${c.files.map(
              (f) =>
                html`<tr>
                  <td><a class="dl" align="center" href="${f.downloadPageUrl}" title="${f.name}">${f.name}</a></td>
                  <td>${humanSize(f.size)}</td>
                  <td>${utcDate(f.uploadTime)}</td>
                </tr> `,
            )}
          </tbody>
        </table>`;
  const total = c.files.reduce((n, f) => n + f.size, 0);
  return page({
    title: c.current.name,
    visitor,
    body: html`<div class="card">
      <h1>${c.current.name}</h1>
      <p class="muted">${t.folder.count(c.files.length)}, ${humanSize(total)} · <a href="${c.current.rssUrl}">${t.folder.rss}</a></p>
      ${folders} ${files}
    </div>`,
    head: html`<link rel="alternate" type="application/rss+xml" title="${c.current.name}" href="${c.current.rssUrl}" />`,
  });
}

export function registerFolderPage(app: FastifyInstance, services: Services): void {
  const notFound = (reply: FastifyReply, visitor: Visitor) =>
    sendNotFound(reply, { title: t.folder.notFoundTitle, text: t.folder.notFoundText, visitor });
  const showFolder = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, password?: string) => {
    const visitor = await visitorOf(req, reply, services);
    const outcome = await services.sharedFolders.page(req.params.id, password, req.ip);
    if (outcome.kind === 'not-found') return notFound(reply, visitor);
    if (outcome.kind === 'too-many-attempts')
      return sendPage(
        reply,
        429,
        page({
          title: t.password.protectedFolder,
          visitor,
          body: html`<div class="card">
            <h1>${t.password.protectedFolder}</h1>
            <p class="msg error" role="alert">${t.password.tooManyFolder(outcome.retryAfterMinutes)}</p>
          </div>`,
        }),
      );
    if (outcome.kind === 'password-required') {
      const body = html`<div class="card">
        <h1>${t.password.protectedFolder}</h1>
        ${passwordForm({ intro: t.password.folderProtected, button: t.password.openFolder, wrong: outcome.wrong })}
      </div>`;
      return sendPage(reply, outcome.wrong ? 403 : 200, page({ title: t.password.protectedFolder, body, visitor }));
    }
    return sendPage(reply, 200, listing(outcome.contents, visitor));
  };
  app.get<{ Params: { id: string } }>('/folder/:id', (req, reply) => showFolder(req, reply));
  // Like the file page's: a password unlocks a view only, so no CSRF token is asked for.
  app.post<{ Params: { id: string } }>('/folder/:id', { config: { csrf: 'exempt' } }, (req, reply) =>
    showFolder(req, reply, formOf(req).get('password') ?? ''),
  );

  app.get<{ Params: { id: string }; Querystring: { password?: string } }>('/folder/:id/rss', async (req, reply) => {
    const password = typeof req.query.password === 'string' ? req.query.password : undefined;
    const outcome = await services.sharedFolders.feed(req.params.id, password, req.ip);
    if (outcome.kind === 'not-found') return notFound(reply, await visitorOf(req, reply, services));
    if (outcome.kind === 'too-many-attempts')
      return reply
        .code(429)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('retry-after', String(outcome.retryAfterMinutes * 60))
        .send('Too many wrong passwords for this feed; try again later.\n');
    if (outcome.kind === 'password-required')
      return reply
        .code(403)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .send('This feed is protected by a password: add ?password=… to its address.\n');
    return reply
      .code(200)
      .header('content-type', 'application/rss+xml; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .send(folderFeed(outcome.contents));
  });
}
