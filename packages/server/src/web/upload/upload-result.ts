/**
 * What an upload ends with on the web: every file's share link (with a copy button), a
 * QR code of it, the delete link for anonymous uploads, and "upload more". Download
 * tools read a line holding the download page's href followed by `share link">`, and a
 * line holding the `/delete/` href: those two lines are built whole, one line each.
 */
import { humanSize } from '../../lib/format.js';
import { escapeHtml, html, unsafeRawHtml, type Html } from '../html.js';
import { page } from '../layout.js';
import { qrSvg } from '../qr.js';
import { t } from '../strings.js';
import type { Visitor } from '../visitor.js';

export interface ResultFile {
  id: string;
  name: string;
  size: number;
  downloadUrl: string;
  /** Shown for anonymous uploads only: they have no other way to be deleted. */
  deleteUrl?: string | undefined;
}

function oneFile(f: ResultFile, i: number): Html {
  const linkLine = unsafeRawHtml(
    `<a class="share-url" href="${escapeHtml(f.downloadUrl)}" title="share link">${escapeHtml(f.downloadUrl)}</a>`,
  );
  const deleteLine = f.deleteUrl
    ? unsafeRawHtml(`<a class="delete-url" href="${escapeHtml(f.deleteUrl)}">${escapeHtml(f.deleteUrl)}</a>`)
    : undefined;
  return html`<li class="card result-file">
    <div>
      <h2>${f.name}</h2>
      <p class="muted">${humanSize(f.size)}</p>
      <label for="share-${i}">${t.upload.shareLink}</label>
      <div class="share">
        <input id="share-${i}" type="text" readonly value="${f.downloadUrl}" />
        <button type="button" class="secondary" data-copy="share-${i}" data-copied="${t.upload.copied}" hidden>${t.upload.copy}</button>
      </div>
      <p>${linkLine}</p>
      ${
        deleteLine
          ? html`<p>${t.upload.deleteLink}:</p>
              <p>${deleteLine}</p>
              <p class="hint">${t.upload.deleteHint}</p>`
          : ''
      }
    </div>
    ${qrSvg(f.downloadUrl, t.upload.qr(f.name))}
  </li>`;
}

export function resultPage(visitor: Visitor, files: readonly ResultFile[], notice?: Html): string {
  const body = html`<h1>${t.upload.resultTitle}</h1>
    ${notice}
    <ul class="queue results">
      ${files.map(oneFile)}
    </ul>
    <p class="actions"><a class="button" href="/">${t.upload.more}</a></p>`;
  return page({ title: t.upload.resultTitle, visitor, body });
}
