/**
 * The public pages of a folder shared with `shared=1`: the HTML page `/folder/<id>`
 * (the `public_url` handed out) listing its files and public sub-folders, and its
 * RSS 2.0 feed `/folder/<id>/rss` (the `rss_url`). A private or unknown folder is a
 * plain 404, never "this folder is private". A folder password is asked by a form on
 * the page and taken as `?password=` by the feed.
 */
import { el, textEl, xmlDocument, type XmlNode } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SharedContents } from '../domain/library/shared-folders.js';
import type { PublicFileView } from '../domain/library/views.js';
import type { Services } from '../services.js';
import { html } from '../web/html.js';
import { page } from '../web/layout.js';
import { PAGE_CSP, sendPage } from './send-page.js';
import { humanSize, utcDate } from '../lib/format.js';

const PASSWORD_FORM = html`<form method="post">
  <p>
    <label>Password <input type="password" name="password" required autofocus /></label> <button type="submit">Open folder</button>
  </p>
</form>`;

function notFound(reply: FastifyReply): FastifyReply {
  return sendPage(
    reply,
    404,
    page(
      'Folder not found',
      html`<h1>Folder not found</h1>
        <p>The folder may have been deleted or made private, or the link is wrong.</p>`,
    ),
  );
}

function listing(c: SharedContents): string {
  const folders =
    c.folders.length === 0
      ? ''
      : html`<h2>Folders</h2>
          <ul class="folders">
            ${c.folders.map((f) => html`<li><a href="${f.publicUrl}">${f.name}</a></li>`)}
          </ul>`;
  const files =
    c.files.length === 0
      ? html`<p class="muted">This folder has no files.</p>`
      : html`<table class="files">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Uploaded</th>
            </tr>
          </thead>
          <tbody>
            ${c.files.map(
              (f) =>
                html`<tr>
                  <td><a href="${f.downloadPageUrl}">${f.name}</a></td>
                  <td>${humanSize(f.size)}</td>
                  <td>${utcDate(f.uploadTime)}</td>
                </tr> `,
            )}
          </tbody>
        </table>`;
  const total = c.files.reduce((n, f) => n + f.size, 0);
  return page(
    c.current.name,
    html`<h1>${c.current.name}</h1>
      <p class="muted">
        ${c.files.length} ${c.files.length === 1 ? 'file' : 'files'}, ${humanSize(total)} · <a href="${c.current.rssUrl}">RSS feed</a>
      </p>
      ${folders} ${files}`,
    { head: html`<link rel="alternate" type="application/rss+xml" title="${c.current.name}" href="${c.current.rssUrl}" />` },
  );
}

/** Media types for enclosures, so podcast and feed readers know what they get. */
const ENCLOSURE_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  pdf: 'application/pdf',
  zip: 'application/zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  txt: 'text/plain',
};

function enclosureType(name: string): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return ENCLOSURE_TYPES[ext] ?? 'application/octet-stream';
}

function feedItem(f: PublicFileView): XmlNode {
  const children: XmlNode[] = [
    textEl('title', f.name),
    textEl('link', f.downloadPageUrl),
    textEl('guid', f.downloadPageUrl),
    textEl('pubDate', new Date(f.uploadTime * 1000).toUTCString()),
  ];
  if (f.description) children.push(textEl('description', f.description));
  // A protected file has no direct link: its page asks for the password.
  if (f.directDownloadUrl)
    children.push(
      el('enclosure', [
        ['url', f.directDownloadUrl],
        ['length', f.size],
        ['type', enclosureType(f.name)],
      ]),
    );
  return el('item', [], children);
}

function feed(c: SharedContents): string {
  return xmlDocument(
    el(
      'rss',
      [['version', '2.0']],
      [
        el(
          'channel',
          [],
          [
            textEl('title', c.current.name),
            textEl('link', c.current.publicUrl),
            textEl('description', `Files in the shared folder ${c.current.name}`),
            ...c.files.map(feedItem),
          ],
        ),
      ],
    ),
  );
}

/** The `password` field of a urlencoded form (the app hands urlencoded bodies over as a string). */
function formPassword(req: FastifyRequest): string {
  return typeof req.body === 'string' ? (new URLSearchParams(req.body).get('password') ?? '') : '';
}

export function registerFolderPages(app: FastifyInstance, services: Services): void {
  const showFolder = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, password?: string) => {
    const outcome = await services.sharedFolders.page(req.params.id, password, req.ip);
    if (outcome.kind === 'not-found') return notFound(reply);
    if (outcome.kind === 'too-many-attempts')
      return sendPage(
        reply,
        429,
        page(
          'Protected folder',
          html`<h1>Protected folder</h1>
            <p class="error">Too many wrong passwords. Please try again in ${outcome.retryAfterMinutes} minutes.</p>`,
        ),
      );
    if (outcome.kind === 'password-required') {
      const body = outcome.wrong
        ? html`<h1>Protected folder</h1>
            <p class="error">Wrong password, please try again.</p>
            ${PASSWORD_FORM}`
        : html`<h1>Protected folder</h1>
            <p>This folder is protected by a password.</p>
            ${PASSWORD_FORM}`;
      return sendPage(reply, outcome.wrong ? 403 : 200, page('Protected folder', body));
    }
    return sendPage(reply, 200, listing(outcome.contents));
  };
  app.get<{ Params: { id: string } }>('/folder/:id', (req, reply) => showFolder(req, reply));
  app.post<{ Params: { id: string } }>('/folder/:id', (req, reply) => showFolder(req, reply, formPassword(req)));

  app.get<{ Params: { id: string }; Querystring: { password?: string } }>('/folder/:id/rss', async (req, reply) => {
    const password = typeof req.query.password === 'string' ? req.query.password : undefined;
    const outcome = await services.sharedFolders.feed(req.params.id, password, req.ip);
    if (outcome.kind === 'not-found') return notFound(reply);
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
      .send(feed(outcome.contents));
  });
}
