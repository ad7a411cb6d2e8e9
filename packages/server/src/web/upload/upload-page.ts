/**
 * The upload page `/`. It works as a plain multipart form without JavaScript; the
 * page's script (assets/upload.ts) adds drag and drop, a queue with progress, speed,
 * time left and cancel per file, and sends each file by tus (`data-tus`), resumably. The LAST form of the page is the upload form, in the
 * original site's shape download tools post (docs/compatibility.md): its action holds
 * `MAX_FILE_SIZE=<digits>`, its hidden inputs `PROGRESS_URL` and `signature` (the upload
 * ticket), and for a logged-in person `ownemail` and `userid`.
 */
import { ApiError } from '@sendbay/protocol';
import type { Services } from '../../services.js';
import { humanSize } from '../../lib/format.js';
import { field, formError, type FieldErrors } from '../forms.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { t } from '../strings.js';
import { csrfInput, type Visitor } from '../visitor.js';

/** What the person typed, kept when a submit fails. */
export interface UploadValues {
  description: string;
  recpemail: string;
  message: string;
  ownemail: string;
  time_limit: string;
  download_limit: string;
  limit_action: string;
  folder_id: string;
}

export const EMPTY_UPLOAD: UploadValues = {
  description: '',
  recpemail: '',
  message: '',
  ownemail: '',
  time_limit: '',
  download_limit: '',
  limit_action: '1',
  folder_id: '0',
};

/** The path the form posts to; the query carries MAX_FILE_SIZE as the original's did. */
export const WEB_UPLOAD_PATH = '/web/upload';

function select(name: string, label: string, value: string, options: [string, string][]): Html {
  const id = `f-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <select id="${id}" name="${name}">
      ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? html`selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

function textarea(name: string, label: string, value: string, hint?: string): Html {
  const id = `f-${name.replace(/[^a-z]/gi, '')}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <textarea id="${id}" name="${name}" maxlength="5000" ${hint ? html`aria-describedby="${id}-hint"` : ''}>${value}</textarea>
    ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}
  </div>`;
}

async function folderOptions(services: Services, visitor: Visitor): Promise<[string, string][]> {
  if (!visitor.user) return [];
  const all = await services.libraryFolders.getAll(visitor.user);
  return [
    ['0', t.upload.rootFolder],
    ...all.filter((f) => f.folder.id !== '0' && !f.folder.notOwned).map((f): [string, string] => [f.folder.id, f.folder.name]),
  ];
}

export async function uploadPage(
  services: Services,
  visitor: Visitor,
  values: UploadValues = EMPTY_UPLOAD,
  errors: FieldErrors = {},
): Promise<string> {
  const user = visitor.user;
  let info;
  try {
    if (!user && services.config.anonymousMaxFileSize === 0) throw new ApiError(11, t.upload.anonymousOff);
    info = services.uploads.info(user, null);
  } catch (err) {
    const text = err instanceof ApiError ? err.message : t.upload.anonymousOff;
    return page({
      title: t.upload.title,
      visitor,
      path: '/',
      body: html`<div class="card">
        <h1>${t.upload.heading}</h1>
        <p class="msg error" role="alert">${text}</p>
      </div>`,
    });
  }
  const max = humanSize(info.maxFileSize);
  const folders = await folderOptions(services, visitor);
  const body = html`<div class="card">
      <h1>${t.upload.heading}</h1>
      ${formError(errors)}
      <form id="upload-done" method="post" action="/upload/done" hidden>${csrfInput(visitor)}</form>
      <form
        id="upload-form"
        method="post"
        enctype="multipart/form-data"
        action="${WEB_UPLOAD_PATH}?MAX_FILE_SIZE=${info.maxFileSize}"
        data-max-file-size="${info.maxFileSize}"
        data-tus="/tus/"
      >
        <input type="hidden" name="PROGRESS_URL" value="${info.progressUrl}" />
        <input type="hidden" name="js_enabled" value="0" />
        <input type="hidden" name="signature" value="${info.extraInfo}" />
        <input type="hidden" name="upload_files" value="" />
        <input type="hidden" name="terms" value="1" />
        ${
          user
            ? html`<input type="hidden" name="ownemail" value="${user.email}" /><input type="hidden" name="userid" value="${user.id}" />`
            : ''
        }
        <div class="dropzone" id="dropzone">
          <label for="f-files">${t.upload.drop}</label>
          <input id="f-files" type="file" name="upload_file[]" multiple aria-describedby="f-files-hint" />
          <p class="hint" id="f-files-hint">${user ? t.upload.limit(max) : t.upload.anonymousLimit(max)}</p>
          ${errors.files ? html`<p class="field-error" role="alert">${errors.files}</p>` : ''}
        </div>
        <section id="queue-area" hidden aria-labelledby="queue-heading">
          <h2 id="queue-heading">${t.upload.queue}</h2>
          <ul class="queue" id="queue"></ul>
          <div class="total" id="total" hidden>
            <label for="total-progress">${t.upload.total}</label>
            <progress id="total-progress" max="100" value="0"></progress>
            <p class="stats" id="total-stats" aria-live="polite"></p>
          </div>
        </section>
        <details ${Object.keys(errors).some((k) => k !== 'files' && k !== '_form') ? html`open` : ''}>
          <summary>${t.upload.options}</summary>
          ${textarea('description[]', t.upload.description, values.description)}
          ${field({ name: 'password', label: t.upload.password, type: 'password', hint: t.upload.passwordHint, autocomplete: 'new-password' }, errors)}
          ${field({ name: 'recpemail', label: t.upload.recipients, type: 'text', value: values.recpemail, hint: t.upload.recipientsHint }, errors)}
          ${textarea('message', t.upload.message, values.message)}
          ${
            user
              ? ''
              : field({ name: 'ownemail', label: t.upload.ownEmail, type: 'email', value: values.ownemail, autocomplete: 'email' }, errors)
          }
          ${select('time_limit', t.upload.expiry, values.time_limit, [
            ['', t.upload.expiryNever],
            ['3600', t.upload.expiryHour],
            ['86400', t.upload.expiryDay],
            ['604800', t.upload.expiryWeek],
            ['2592000', t.upload.expiryMonth],
          ])}
          ${field(
            {
              name: 'download_limit',
              label: t.upload.downloadLimit,
              type: 'number',
              value: values.download_limit,
              min: 1,
              hint: t.upload.downloadLimitHint,
            },
            errors,
          )}
          ${select('limit_action', t.upload.limitAction, values.limit_action, [
            ['1', t.upload.actionBlock],
            ['2', t.upload.actionDelete],
            ['0', t.upload.actionStop],
          ])}
          ${folders.length > 0 ? select('folder_id', t.upload.folder, values.folder_id, folders) : ''}
        </details>
        <div class="actions"><button type="submit" id="upload-submit">${t.upload.submit}</button></div>
      </form>
    </div>
    <p class="muted">${t.layout.footer} <code>${services.config.publicUrl}/rest/</code></p>
    <template
      id="upload-strings"
      data-cancel="${t.upload.cancel}"
      data-remove="${t.upload.remove}"
      data-cancelled="${t.upload.cancelled}"
      data-waiting="${t.upload.waiting}"
      data-done="${t.upload.done}"
      data-failed="${t.upload.failed}"
      data-too-large="${t.upload.tooLarge(max)}"
      data-no-files="${t.upload.noFiles}"
      data-earlier="${t.upload.earlier}"
      data-offline="${t.upload.offline}"
      data-network="${t.upload.network}"
      data-resumed="${t.upload.resumed('{sent}')}"
      data-bad-recipients="${t.upload.badRecipients}"
    ></template>`;
  return page({ title: t.upload.title, visitor, path: '/', body, scripts: ['upload.js'] });
}
