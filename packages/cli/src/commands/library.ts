/**
 * ls, mkdir, mv, rm, info, share: the file and folder library. File and folder ids
 * look alike, so commands that take either try files first and send the ids the
 * server did not know as files to the folder method.
 */
import { SendbayApiError, type FileRecord, type FolderRecord, type ListResult, type SendbayClient } from '@sendbay/client';
import type { Command } from '../command.js';
import { need, str } from '../command.js';
import { NotFoundError, UsageError } from '../exit-codes.js';
import { bytes, table } from '../format.js';

const NOT_FOUND = 9;

/** Runs `files` for all ids, then `folders` for those files.* did not find; throws when some id is neither. */
async function filesThenFolders<F, G>(
  ids: string[],
  files: (ids: string[]) => Promise<ListResult<F>>,
  folders: (ids: string[]) => Promise<ListResult<G>>,
): Promise<{ files: ListResult<F> | undefined; folders: ListResult<G> | undefined }> {
  let f: ListResult<F> | undefined;
  let rest = ids;
  try {
    f = await files(ids);
    rest = f.errors.filter((e) => e.code === NOT_FOUND).flatMap((e) => (e.ids.length ? e.ids : ids));
    const other = f.errors.find((e) => e.code !== NOT_FOUND);
    if (other) throw new SendbayApiError('files', [other]);
  } catch (err) {
    if (!(err instanceof SendbayApiError) || err.code !== NOT_FOUND) throw err;
    rest = err.errors.filter((e) => e.code === NOT_FOUND).flatMap((e) => (e.ids.length ? e.ids : ids));
  }
  if (rest.length === 0) return { files: f, folders: undefined };
  try {
    const g = await folders(rest);
    const missing = g.errors.flatMap((e) => e.ids);
    if (missing.length) throw new NotFoundError(`not found: ${missing.join(', ')}`);
    return { files: f, folders: g };
  } catch (err) {
    if (err instanceof SendbayApiError && err.code === 10) throw new NotFoundError(`no file or folder ${rest.join(', ')}`);
    throw err;
  }
}

function when(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

export const ls: Command = {
  name: 'ls',
  summary: 'List a folder: its sub-folders, then its files (default: the root folder).',
  usage: 'sbay ls [FOLDER_ID]',
  help: '',
  options: {},
  async run(ctx, _v, args) {
    const client = ctx.client({ session: true });
    const { folders, files } = await client.folders.getContents(args[0] ?? '0');
    const rows = [
      ...folders.map((f) => [f.id, 'folder', '', '', `${f.name}/`]),
      ...files.map((f) => [f.id, bytes(f.fileSize), when(f.uploadTime), String(f.downloads), f.name]),
    ];
    ctx.print(rows.length ? table([['ID', 'SIZE', 'UPLOADED', 'DL', 'NAME'], ...rows]) : '(empty)', { folders, files });
  },
};

export const mkdir: Command = {
  name: 'mkdir',
  summary: 'Create a folder.',
  usage: 'sbay mkdir NAME [--parent FOLDER_ID] [--shared]',
  help: `  --parent ID  parent folder (default: root)
  --shared     make it public (it gets a public page)`,
  options: { parent: { type: 'string' }, shared: { type: 'boolean' } },
  async run(ctx, v, args) {
    need(args, 1, mkdir, 'NAME');
    const f = await ctx
      .client({ session: true })
      .folders.create({ name: args.join(' '), parent_folder_id: str(v.parent), shared: v.shared === true ? 1 : undefined });
    ctx.print(`${f.id}\t${f.name}${f.publicUrl && f.shared ? `\t${f.publicUrl}` : ''}`, f);
  },
};

export const mv: Command = {
  name: 'mv',
  summary: 'Move files and folders into a folder (0 is the root).',
  usage: 'sbay mv ID... FOLDER_ID',
  help: '',
  options: {},
  async run(ctx, _v, args) {
    need(args, 2, mv, 'ID and FOLDER_ID');
    const target = args[args.length - 1]!;
    const ids = args.slice(0, -1);
    const client = ctx.client({ session: true });
    const r = await filesThenFolders(
      ids,
      (x) => client.files.moveToFolder(x, target),
      (x) => client.folders.move(x, target),
    );
    const moved = [...(r.files?.ids ?? []), ...(r.folders?.ids ?? [])];
    ctx.print(`moved ${moved.join(', ')} to ${target}`, { moved, folderId: target });
  },
};

export const rm: Command = {
  name: 'rm',
  summary: 'Delete files and (empty) folders.',
  usage: 'sbay rm ID...',
  help: '',
  options: {},
  async run(ctx, _v, args) {
    need(args, 1, rm, 'ID');
    const client = ctx.client({ session: true });
    const r = await filesThenFolders(
      args,
      (x) => client.files.delete(x),
      (x) => client.folders.delete(x),
    );
    const deleted = [...(r.files?.ids ?? []), ...(r.folders?.ids ?? [])];
    ctx.print(`deleted ${deleted.join(', ')}`, { deleted });
  },
};

function fileText(f: FileRecord): string {
  const lines = [
    ['id', f.id],
    ['name', f.name],
    ['size', `${bytes(f.fileSize)} (${f.fileSize} bytes)`],
    ['folder', f.folderId],
    ['uploaded', when(f.uploadTime)],
    ['downloads', String(f.downloads)],
    ['page', f.downloadPageUrl],
    ['direct', f.directDownloadUrl ?? ''],
    ['delete', f.deleteUrl ?? ''],
    ['description', f.description],
    ['password', f.password ?? ''],
    ['time limit', f.timeLimit ? `${f.timeLimit} s left` : ''],
    ['download limit', f.downloadLimit ? String(f.downloadLimit) : ''],
  ].filter(([, v]) => v !== '');
  return table(lines as string[][]);
}

function folderText(f: FolderRecord): string {
  const lines = [
    ['id', f.id],
    ['name', f.name],
    ['parent', f.parentFolderId],
    ['shared', f.shared ? 'yes' : 'no'],
    ['public page', f.shared ? f.publicUrl : ''],
    ['files', f.totals ? `${f.totals.files} (${bytes(f.totals.size)})` : ''],
    ['folders', f.totals ? String(f.totals.folders) : ''],
  ].filter(([, v]) => v !== '');
  return table(lines as string[][]);
}

export const info: Command = {
  name: 'info',
  summary: 'Show a file or folder.',
  usage: 'sbay info ID',
  help: '',
  options: {},
  async run(ctx, _v, args) {
    need(args, 1, info, 'ID');
    const client = ctx.client({ session: true });
    const id = args[0]!;
    try {
      const r = await client.files.getInfo(id);
      const f = r.items[0]!;
      ctx.print(fileText(f), { type: 'file', ...f });
    } catch (err) {
      if (!(err instanceof SendbayApiError) || err.code !== NOT_FOUND) throw err;
      try {
        const f = await client.folders.getInfo(id);
        ctx.print(folderText(f), { type: 'folder', ...f });
      } catch (e2) {
        if (e2 instanceof SendbayApiError && e2.code === 10) throw new NotFoundError(`no file or folder ${id}`);
        throw e2;
      }
    }
  },
};

export const share: Command = {
  name: 'share',
  summary: 'Mail the links of files or folders.',
  usage: 'sbay share ID... --to EMAILS [--message TEXT]',
  help: `  --to EMAILS     recipients (comma-separated)
  --message TEXT  a message with the links`,
  options: { to: { type: 'string' }, message: { type: 'string' } },
  async run(ctx, v, args) {
    need(args, 1, share, 'ID');
    const to = str(v.to);
    if (!to) throw new UsageError('missing --to EMAILS (usage: sbay share ID... --to EMAILS)');
    const client: SendbayClient = ctx.client({ session: true });
    const p = { emails: to, message: str(v.message) };
    const r = await filesThenFolders(
      args,
      (x) => client.files.sendMail(x, p),
      (x) => client.folders.sendMail(x, p),
    );
    const shared = [...(r.files?.ids ?? []), ...(r.folders?.ids ?? [])];
    ctx.print(`mailed ${shared.join(', ')} to ${to}`, { shared, to: to.split(/[,;\s]+/).filter(Boolean) });
  },
};
