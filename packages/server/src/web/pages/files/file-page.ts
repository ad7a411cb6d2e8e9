/**
 * `/files/file/<id>`: one of the visitor's files: its links (copy, QR), downloads, and
 * the forms that change it (rename, description, password, expiry, download limit and
 * action, team sharing), mail its link, or delete it. The forms post back here and
 * redirect; a refused form is shown again with what was typed and a message beside
 * each field. A team mate's shared file shows read-only; anyone else's is not found.
 */
import { isValidEmail } from '@sendbay/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountStatus } from '../../../domain/account-status.js';
import type { FileInfoChanges } from '../../../domain/library/files.js';
import type { FileView } from '../../../domain/library/views.js';
import type { Services } from '../../../services.js';
import type { UserRow } from '../../../metadata/repositories/users.js';
import { formOf, type FieldErrors } from '../../forms.js';
import { seeOther } from '../../send-page.js';
import { t } from '../../strings.js';
import { requireUser, type LoggedIn } from '../../visitor.js';
import { sendNotFound } from '../not-found.js';
import { refusal, wholeNumber } from './manager-common.js';
import { renderFilePage, type FileForm } from './file-view.js';

const m = t.manager;
const NAME_MAX = 255;
const DESCRIPTION_MAX = 2000;
const PASSWORD_MAX = 100;
/** Ten years of hours. */
const HOURS_MAX = 87_600;
const DOWNLOADS_MAX = 1_000_000_000;
const MAX_RECIPIENTS = 20;

type Params = { Params: { id: string }; Querystring: { done?: string; n?: string } };

/** The visitor's view of the file, or undefined when they may not see it. */
async function viewOf(services: Services, user: UserRow, rawId: string): Promise<FileView | undefined> {
  const [r] = await services.libraryFiles.getInfo(user, [rawId.trim().toLowerCase()]);
  return r && !r.error ? r.value : undefined;
}

function hoursLeft(f: FileView): number {
  return f.timeLimit > 0 ? Math.ceil(f.timeLimit / 3600) : 0;
}

/** The settings form as stored now. */
export function formFromView(f: FileView): FileForm {
  return {
    name: f.name,
    description: f.description,
    hours: String(hoursLeft(f)),
    downloadLimit: String(f.downloadLimit),
    limitAction: String(f.limitAction),
    limitFolder: f.limitActionToFolder ?? '0',
    businessShared: f.businessShared,
  };
}

function canShareWithTeam(services: Services, user: UserRow): boolean {
  const s = accountStatus(user, services.config.plans, services.clock.now());
  return s.plan === 'business' && !s.expired;
}

export function registerFilePage(app: FastifyInstance, services: Services): void {
  const show = async (
    reply: FastifyReply,
    visitor: LoggedIn,
    file: FileView,
    opts: {
      status?: number;
      form?: FileForm;
      errors?: FieldErrors;
      mail?: { to: string; message: string; errors: FieldErrors };
      query?: Params['Querystring'];
    } = {},
  ) =>
    renderFilePage(reply, {
      visitor,
      file,
      tree: await services.fileListing.tree(visitor.user),
      form: opts.form ?? formFromView(file),
      errors: opts.errors ?? {},
      mail: opts.mail ?? { to: '', message: '', errors: {} },
      teamSharing: canShareWithTeam(services, visitor.user),
      status: opts.status ?? 200,
      query: opts.query ?? {},
    });

  app.get<Params>('/files/file/:id', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const file = await viewOf(services, visitor.user, req.params.id);
    if (!file) return sendNotFound(reply, { visitor });
    return show(reply, visitor, file, { query: req.query });
  });

  app.post<Params>('/files/file/:id', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const file = await viewOf(services, visitor.user, req.params.id);
    if (!file || file.notOwned) return sendNotFound(reply, { visitor });
    const f = formOf(req);
    const was = formFromView(file);
    const form: FileForm = {
      name: f.get('name') ?? '',
      description: f.get('description') ?? '',
      hours: f.get('hours') ?? '',
      downloadLimit: f.get('download_limit') ?? '',
      limitAction: f.get('limit_action') ?? '0',
      limitFolder: f.get('limit_folder') ?? '0',
      businessShared: f.get('business_shared') === '1',
    };
    const errors: FieldErrors = {};
    const changes: FileInfoChanges = {};
    if (form.name.trim() === '') errors.name = m.errors.emptyName;
    else if (form.name.trim().length > NAME_MAX) errors.name = m.errors.tooLong(NAME_MAX);
    else if (form.name.trim() !== file.name) changes.name = form.name;
    if (form.description.length > DESCRIPTION_MAX) errors.description = m.errors.tooLong(DESCRIPTION_MAX);
    else if (form.description !== file.description) changes.description = form.description;
    const password = f.get('password') ?? '';
    if (f.get('no_password') === '1') {
      if (file.passwordProtected) changes.password = '';
    } else if (password.length > PASSWORD_MAX) errors.password = m.errors.tooLong(PASSWORD_MAX);
    else if (password !== '') changes.password = password;
    const hours = wholeNumber(form.hours, HOURS_MAX);
    if (hours === undefined) errors.hours = m.errors.notNumber;
    // Only a changed figure is sent: saving the other fields must not restart the clock.
    else if (String(hours) !== was.hours) changes.timeLimit = hours * 3600;
    const limit = wholeNumber(form.downloadLimit, DOWNLOADS_MAX);
    if (limit === undefined) errors.download_limit = m.errors.notNumber;
    else if (String(limit) !== was.downloadLimit) changes.downloadLimit = limit;
    const action = Number(form.limitAction);
    if (![0, 1, 2, 3].includes(action)) errors.limit_action = m.errors.notNumber;
    else if (String(action) !== was.limitAction) changes.limitAction = action as 0 | 1 | 2 | 3;
    if (action === 3 && (form.limitFolder !== was.limitFolder || String(action) !== was.limitAction))
      changes.limitActionToFolder = form.limitFolder;
    if (f.get('business_shown') === '1' && form.businessShared !== file.businessShared)
      changes.businessShared = form.businessShared ? 1 : 0;

    if (Object.keys(errors).length === 0 && Object.keys(changes).length > 0) {
      try {
        const [r] = await services.libraryFiles.setInfo(visitor.user, [file.id], changes);
        if (r?.error) {
          if (r.error.code === 9) return sendNotFound(reply, { visitor });
          errors._form = refusal(r.error);
        }
      } catch (err) {
        const text = refusal(err);
        if (changes.limitActionToFolder !== undefined && text === m.errors.unknownFolder) errors.limit_folder = text;
        else if (changes.name !== undefined && text !== m.errors.teamOnly && text !== m.errors.unknownFolder) errors.name = text;
        else errors._form = text;
      }
    }
    if (Object.keys(errors).length > 0) return show(reply, visitor, file, { status: 400, form, errors });
    return seeOther(reply, `/files/file/${file.id}?done=saved`);
  });

  app.post<Params>('/files/file/:id/mail', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const file = await viewOf(services, visitor.user, req.params.id);
    if (!file) return sendNotFound(reply, { visitor });
    const f = formOf(req);
    const to = f.get('to') ?? '';
    const message = f.get('message') ?? '';
    const emails = [
      ...new Set(
        to
          .split(/[,;\s]+/)
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const errors: FieldErrors = {};
    if (emails.length === 0 || emails.length > MAX_RECIPIENTS || !emails.every((e) => isValidEmail(e))) errors.to = m.errors.badEmails;
    if (message.length > DESCRIPTION_MAX) errors.message = m.errors.tooLong(DESCRIPTION_MAX);
    if (Object.keys(errors).length > 0) return show(reply, visitor, file, { status: 400, mail: { to, message, errors } });
    const [r] = await services.libraryFiles.sendMail(visitor.user, [file.id], { emails, message });
    if (r?.error) return sendNotFound(reply, { visitor });
    return seeOther(reply, `/files/file/${file.id}?done=mailed&n=${emails.length}`);
  });

  app.post<Params>('/files/file/:id/delete', async (req, reply) => {
    const visitor = await requireUser(req, reply, services);
    if (!visitor) return reply;
    const file = await viewOf(services, visitor.user, req.params.id);
    if (!file || file.notOwned) return sendNotFound(reply, { visitor });
    const [r] = await services.libraryFiles.delete(visitor.user, [file.id]);
    if (r?.error) return sendNotFound(reply, { visitor });
    const back = file.folderId === '0' ? '/files?' : `/files?folder=${file.folderId}&`;
    return seeOther(reply, `${back}done=deleted&n=1`);
  });
}
