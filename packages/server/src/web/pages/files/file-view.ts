/** The markup of `/files/file/<id>` (see file-page.ts for what its forms do). */
import type { FastifyReply } from 'fastify';
import type { FileView } from '../../../domain/library/views.js';
import { humanSize, utcDate } from '../../../lib/format.js';
import { field, formError, type FieldErrors } from '../../forms.js';
import { html, type Html } from '../../html.js';
import { page } from '../../layout.js';
import { qrSvg } from '../../qr.js';
import { sendPage } from '../../send-page.js';
import { t } from '../../strings.js';
import { csrfInput, type LoggedIn } from '../../visitor.js';
import { folderOptions, notice, type TreeEntry, managerHead } from './manager-common.js';

const m = t.manager;
const ft = m.file;

/** What the settings form holds: as stored, or as typed in a refused submit. */
export interface FileForm {
  name: string;
  description: string;
  hours: string;
  downloadLimit: string;
  limitAction: string;
  limitFolder: string;
  businessShared: boolean;
}

function fieldMessage(name: string, errors: FieldErrors): Html {
  const e = errors[name];
  return e ? html`<p class="field-error" id="f-${name}-error">${e}</p>` : html``;
}

function described(name: string, errors: FieldErrors, hint?: boolean): Html {
  const ids = [hint ? `f-${name}-hint` : '', errors[name] ? `f-${name}-error` : ''].filter(Boolean).join(' ');
  return html`${ids ? html`aria-describedby="${ids}"` : ''} ${errors[name] ? html`aria-invalid="true"` : ''}`;
}

function settingsForm(o: {
  file: FileView;
  form: FileForm;
  errors: FieldErrors;
  tree: readonly TreeEntry[];
  teamSharing: boolean;
  visitor: LoggedIn;
}): Html {
  const { file, form, errors } = o;
  const expiry = file.timeLimit > 0 ? ft.timeLeft(utcDate(Math.floor(Date.now() / 1000) + file.timeLimit)) : ft.noTimeLimit;
  const teamBox =
    o.teamSharing && file.folderId === '0'
      ? html`<input type="hidden" name="business_shown" value="1" />
          <div class="check">
            <input type="checkbox" id="f-business_shared" name="business_shared" value="1" ${form.businessShared ? html`checked` : ''} />
            <label for="f-business_shared">${ft.businessShared}</label>
          </div>`
      : '';
  return html`<form method="post" action="/files/file/${file.id}" novalidate>
    <h2>${ft.settings}</h2>
    ${csrfInput(o.visitor)} ${formError(errors)}
    ${field({ name: 'name', label: ft.name, value: form.name, required: true, maxlength: 255 }, errors)}
    <div class="field${errors.description ? ' invalid' : ''}">
      <label for="f-description">${ft.description}</label>
      <textarea id="f-description" name="description" rows="3" maxlength="2000" ${described('description', errors)}>
${form.description}</textarea>
      ${fieldMessage('description', errors)}
    </div>
    <div class="field${errors.password ? ' invalid' : ''}">
      <label for="f-password">${ft.password}</label>
      <input
        id="f-password"
        name="password"
        type="password"
        autocomplete="new-password"
        maxlength="100"
        ${described('password', errors, true)}
      />
      <p class="hint" id="f-password-hint">${file.passwordProtected ? m.protectedMark + ': ✓. ' : ''}${ft.passwordHint}</p>
      ${fieldMessage('password', errors)}
    </div>
    ${
      file.passwordProtected
        ? html`<div class="check">
            <input type="checkbox" id="f-no_password" name="no_password" value="1" />
            <label for="f-no_password">${ft.password}: ✗</label>
          </div>`
        : ''
    }
    ${field({ name: 'hours', label: ft.timeLimit, type: 'number', min: 0, max: 87600, value: form.hours, hint: ft.timeLimitHint(expiry) }, errors)}
    ${field({ name: 'download_limit', label: ft.downloadLimit, type: 'number', min: 0, value: form.downloadLimit, hint: ft.downloadLimitHint }, errors)}
    <div class="field${errors.limit_action ? ' invalid' : ''}">
      <label for="f-limit_action">${ft.limitAction}</label>
      <select id="f-limit_action" name="limit_action" ${described('limit_action', errors)}>
        ${ft.actions.map((label, i) => html`<option value="${i}" ${form.limitAction === String(i) ? html`selected` : ''}>${label}</option>`)}
      </select>
      ${fieldMessage('limit_action', errors)}
    </div>
    <div class="field${errors.limit_folder ? ' invalid' : ''}">
      <label for="f-limit_folder">${ft.limitFolder}</label>
      <select id="f-limit_folder" name="limit_folder" ${described('limit_folder', errors)}>
        ${folderOptions(o.tree, form.limitFolder)}
      </select>
      ${fieldMessage('limit_folder', errors)}
    </div>
    ${teamBox}
    <div class="actions"><button type="submit">${ft.save}</button></div>
  </form>`;
}

function mailForm(file: FileView, mail: { to: string; message: string; errors: FieldErrors }, visitor: LoggedIn): Html {
  return html`<form method="post" action="/files/file/${file.id}/mail" novalidate>
    <h2>${ft.mailTitle}</h2>
    ${csrfInput(visitor)}
    ${field({ name: 'to', label: ft.mailTo, type: 'text', value: mail.to, hint: ft.mailToHint, required: true, autocomplete: 'email' }, mail.errors)}
    <div class="field${mail.errors.message ? ' invalid' : ''}">
      <label for="f-message">${ft.mailMessage}</label>
      <textarea id="f-message" name="message" rows="3" maxlength="2000" ${described('message', mail.errors)}>${mail.message}</textarea>
      ${fieldMessage('message', mail.errors)}
    </div>
    <div class="actions"><button type="submit" class="secondary">${ft.mailSend}</button></div>
  </form>`;
}

export function renderFilePage(
  reply: FastifyReply,
  o: {
    visitor: LoggedIn;
    file: FileView;
    tree: readonly TreeEntry[];
    form: FileForm;
    errors: FieldErrors;
    mail: { to: string; message: string; errors: FieldErrors };
    teamSharing: boolean;
    status: number;
    query: { done?: string | undefined; n?: string | undefined };
  },
): FastifyReply {
  const { file, visitor } = o;
  const back = file.folderId === '0' ? '/files' : `/files?folder=${file.folderId}`;
  const body = html`<div class="card">
    <p><a href="${file.notOwned ? '/files' : back}">${ft.back}</a></p>
    <h1>${file.name}</h1>
    ${notice(o.query)}
    <dl class="facts">
      <dt>${ft.size}</dt>
      <dd>${humanSize(file.size)}</dd>
      <dt>${ft.uploaded}</dt>
      <dd>${utcDate(file.uploadTime)}</dd>
      <dt>${ft.downloads}</dt>
      <dd>${file.downloads}${file.downloadLimit > 0 ? ` / ${file.downloadLimit}` : ''}</dd>
    </dl>
    <div class="share">
      <label for="share-link">${ft.link}</label>
      <input id="share-link" type="text" readonly value="${file.downloadPageUrl}" />
      <button type="button" class="secondary" data-copy="share-link" data-copied="${ft.copied}" hidden>${ft.copy}</button>
    </div>
    ${qrSvg(file.downloadPageUrl, ft.qr)} ${file.notOwned ? html`<p class="muted">${m.errors.readOnly}</p>` : settingsForm({ ...o })}
    ${mailForm(file, o.mail, visitor)}
    ${
      file.notOwned
        ? ''
        : html`<form method="post" action="/files/file/${file.id}/delete">
            <h2>${ft.deleteTitle}</h2>
            ${csrfInput(visitor)}
            <div class="actions"><button type="submit" class="danger">${ft.deleteButton}</button></div>
          </form>`
    }
  </div>`;
  return sendPage(reply, o.status, page({ head: managerHead(), title: ft.title(file.name), visitor, body, path: '/files' }));
}
