/** What the download and delete pages say about a file: name, size (in the shapes tools read), dates and limits. */
import { compactSize, humanSize, utcDate } from '../../lib/format.js';
import type { FileRow } from '../../metadata/repositories/files.js';
import { html, type Html } from '../html.js';
import { t } from '../strings.js';

export function fileHeading(file: FileRow): Html {
  return html`<h2 class="bgray"><b>${file.name}</b></h2>`;
}

/** `<b>File Size:</b> 1.5MB</div>`: no space in the size, and the closing tag right after it. */
export function fileSize(file: FileRow): Html {
  return html`<div class="file_description reverse margin_center"><b>${t.file.sizeLabel}</b> ${compactSize(file.size)}</div>`;
}

export function fileFacts(file: FileRow): Html {
  const left = file.download_limit === null ? t.file.unlimited : String(Math.max(0, file.download_limit - file.downloads));
  return html`<dl class="facts">
    <dt>${t.file.sizeLabel.replace(':', '')}</dt>
    <dd>${humanSize(file.size)}${file.size >= 1024 ? ` (${file.size} bytes)` : ''}</dd>
    <dt>${t.file.uploaded}</dt>
    <dd>${utcDate(file.upload_time)}</dd>
    ${
      file.description
        ? html`<dt>${t.file.description}</dt>
            <dd>${file.description}</dd>`
        : ''
    }
    <dt>${t.file.expires}</dt>
    <dd>${file.limit_expires_at !== null ? utcDate(file.limit_expires_at) : t.file.never}</dd>
    <dt>${t.file.downloadsLeft}</dt>
    <dd>${left}</dd>
  </dl>`;
}
