/**
 * The web upload: `GET /` shows the form, `POST /web/upload` receives it (streamed
 * through the same receiver as the API form, see web-form-sink.ts for the field names),
 * and `POST /upload/done` shows the result of the page script's uploads (one resumable
 * tus upload per file, so each can be cancelled and continued) and mails their links
 * once for all of them.
 *
 * The upload POST needs no CSRF token: its `signature` is the upload ticket, which only
 * the page that showed the form has (a forged POST could only upload as the forger).
 * A script's request (js_enabled=1 with Accept: application/json) is answered in JSON.
 */
import { isValidEmail } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UploadOutcome } from '../../domain/uploads/upload-outcome.js';
import { lingerAfterEarlyAnswer, readUpload } from '../../http/upload-body.js';
import type { FileRow } from '../../metadata/repositories/files.js';
import type { Services } from '../../services.js';
import { formOf } from '../forms.js';
import { html } from '../html.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import { visitorOf } from '../visitor.js';
import { EMPTY_UPLOAD, uploadPage, WEB_UPLOAD_PATH, type UploadValues } from './upload-page.js';
import { resultPage, type ResultFile } from './upload-result.js';
import { WebFormSink } from './web-form-sink.js';

function queryOf(url: string): [string, string][] {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

function wantsJson(req: FastifyRequest): boolean {
  return /application\/json/.test(String(req.headers.accept ?? ''));
}

function keptValues(values: Record<string, string>): UploadValues {
  const v = { ...EMPTY_UPLOAD };
  for (const k of Object.keys(v) as (keyof UploadValues)[]) {
    const typed = k === 'description' ? values['description[]'] : values[k];
    if (typed !== undefined) v[k] = typed;
  }
  return v;
}

function jsonAnswer(reply: FastifyReply, o: UploadOutcome, errors: Record<string, string>): FastifyReply {
  return reply
    .code(o.status === 'ok' ? 200 : 400)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ status: o.status, reason: o.reason, errors, anonymous: o.anonymous, files: o.files });
}

/** The file a finished tus upload made, if `id` names one. */
async function uploadedFile(services: Services, id: string): Promise<FileRow | undefined> {
  if (!/^[a-z0-9]{32}$/.test(id)) return undefined;
  const state = await services.resumable.status(id).catch(() => undefined);
  return state?.file && services.deleteLinks.ofUpload(state.file.id);
}

export function registerUploadPages(app: FastifyInstance, services: Services): void {
  app.get('/', async (req, reply) => sendPage(reply, 200, await uploadPage(services, await visitorOf(req, reply, services))));

  app.post(WEB_UPLOAD_PATH, { config: { csrf: 'exempt' } }, async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const length = Number(req.headers['content-length']);
    const receiver = services.uploads.receive(Number.isSafeInteger(length) && length > 0 ? length : 0);
    const sink = new WebFormSink(receiver, () => receiver.anonymous, {
      badRecipients: t.upload.badRecipients,
      badEmail: t.register.badEmail,
      badNumber: t.upload.badNumber,
    });
    const read = await readUpload({
      raw: req.raw,
      receiver: sink,
      pathIdentifier: undefined,
      query: queryOf(req.url),
      idleTimeoutMs: services.config.uploadIdleTimeoutSeconds * 1000,
    });
    if (!read.complete) lingerAfterEarlyAnswer(req.raw);
    const o = read.outcome;
    if (wantsJson(req)) return jsonAnswer(reply, o, sink.errors);
    if (o.status !== 'ok') {
      const errors = { ...sink.errors };
      if (Object.keys(errors).length === 0) errors._form = t.upload.refused(o.reason ?? '');
      return sendPage(reply, 400, await uploadPage(services, visitor, keptValues(sink.values), errors));
    }
    const files: ResultFile[] = o.files.map((f) => ({ ...f, deleteUrl: o.anonymous ? f.deleteUrl : undefined }));
    const notice = sink.recipients > 0 ? html`<p class="msg ok" role="status">${t.upload.mailed(sink.recipients)}</p>` : undefined;
    return sendPage(reply, 200, resultPage(visitor, files, notice));
  });

  // The script's uploads end here, named by what proves they were this browser's: `u`, a
  // tus upload id (the upload URL is its capability), or `f`, the id and key of a delete
  // link (the JSON answer of the form POST). The recipients are mailed once for all.
  app.post('/upload/done', async (req, reply) => {
    const visitor = await visitorOf(req, reply, services);
    const form = formOf(req);
    const max = services.config.maxFilesPerUpload;
    const found: (FileRow | undefined)[] = [];
    for (const upload of form.getAll('u').slice(0, max)) found.push(await uploadedFile(services, upload));
    for (const ref of form.getAll('f').slice(0, max)) {
      const [id = '', key = ''] = ref.split('/');
      found.push(await services.deleteLinks.find(id, key));
    }
    const rows = found.filter((row): row is FileRow => row !== undefined && (row.owner_id === null || row.owner_id === visitor.user?.id));
    if (rows.length === 0) return reply.redirect('/', 303);
    const emails = (form.get('recpemail') ?? '')
      .split(/[,;\s]+/)
      .filter((e) => isValidEmail(e))
      .slice(0, 100);
    let notice;
    if (emails.length > 0) {
      const message = (form.get('message') ?? '').slice(0, 5000);
      try {
        const anonymous = rows.filter((r) => r.owner_id === null).map((r) => r.id);
        const owned = rows.filter((r) => r.owner_id !== null).map((r) => r.id);
        if (anonymous.length > 0) {
          const sender = form.get('ownemail') ?? '';
          await services.anonymousMail.send({
            fileIds: anonymous,
            senderEmail: isValidEmail(sender) ? sender : services.config.mailFrom,
            emails,
            message,
            address: req.ip,
          });
        }
        if (owned.length > 0 && visitor.user) await services.libraryFiles.sendMail(visitor.user, owned, { emails, message });
        notice = html`<p class="msg ok" role="status">${t.upload.mailed(emails.length)}</p>`;
      } catch (err) {
        req.log.warn({ err }, 'upload mail not sent');
        notice = html`<p class="msg error" role="alert">${t.upload.mailFailed}</p>`;
      }
    }
    const files: ResultFile[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      size: r.size,
      downloadUrl: services.links.downloadPage(r.id),
      deleteUrl: r.owner_id === null ? services.links.deletePage(r.id, r.delete_salt) : undefined,
    }));
    return sendPage(reply, 200, resultPage(visitor, files, notice));
  });
}
