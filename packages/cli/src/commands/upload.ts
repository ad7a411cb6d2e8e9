/** sbay upload: files with progress, then the links. */
import type { UploadOptions } from '@sendbay/client';
import { fileFromPath } from '@sendbay/client/node';
import type { Command } from '../command.js';
import { need, str } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { parseDuration, parseSize } from '../format.js';
import { progressView } from '../progress-view.js';
import { sendFiles } from '../upload-files.js';

const LIMIT_ACTIONS: Record<string, 1 | 2 | 3> = { block: 1, delete: 2, move: 3 };

export const upload: Command = {
  name: 'upload',
  summary: 'Upload files and print each download link; files of 4 MiB or more resume.',
  usage: 'sbay upload FILE... [options]',
  help: `  --folder ID            put the files in this folder
  --description TEXT     description of every file
  --password PW          password the download page asks for
  --expire DURATION      time limit: 3600, 90m, 12h, 7d
  --limit N              download limit
  --limit-action ACTION  when a limit is reached: block, delete, move:FOLDER_ID
  --to EMAILS            mail the links to these addresses (comma-separated)
  --message TEXT         message for those e-mails
  --anonymous            upload without logging in (prints a delete link too)
  --chunk-size SIZE      bytes per resumable request: 50M, 1G… (default 256M)
  --quiet                no progress

  Files of 4 MiB or more go one by one over tus (resumable): after a dropped
  connection sbay sends the rest, and running the same command again after an
  interrupted run continues the earlier upload (kept until it finishes in
  $XDG_CONFIG_HOME/sendbay/uploads.json). Smaller files, and every file of an
  anonymous upload, go together in one form. Each resumable request is stored
  durably before the next goes; a proxy that caps request bodies (some CDNs take
  at most 100 MB) makes sbay halve them by itself, or give --chunk-size.`,
  options: {
    folder: { type: 'string' },
    description: { type: 'string' },
    password: { type: 'string' },
    expire: { type: 'string' },
    limit: { type: 'string' },
    'limit-action': { type: 'string' },
    to: { type: 'string' },
    message: { type: 'string' },
    anonymous: { type: 'boolean' },
    'chunk-size': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  async run(ctx, v, paths) {
    need(paths, 1, upload, 'FILE');
    const anonymous = v.anonymous === true;
    const o: UploadOptions = { anonymous };
    if (str(v.folder)) o.folderId = str(v.folder);
    if (str(v.password)) o.password = str(v.password);
    if (str(v.to))
      o.recipients = str(v.to)!
        .split(/[,;\s]+/)
        .filter(Boolean);
    if (str(v.message)) o.message = str(v.message);
    if (str(v.expire) !== undefined) {
      const s = parseDuration(str(v.expire)!);
      if (s === undefined) throw new UsageError(`--expire ${str(v.expire)}: give seconds or a number with s, m, h or d`);
      o.timeLimit = s;
    }
    if (str(v.limit) !== undefined) {
      if (!/^\d+$/.test(str(v.limit)!)) throw new UsageError(`--limit ${str(v.limit)}: give a whole number`);
      o.downloadLimit = Number(str(v.limit));
    }
    const action = str(v['limit-action']);
    if (action !== undefined) {
      const [name, folder] = action.split(':');
      const code = LIMIT_ACTIONS[name ?? ''];
      if (!code || (code === 3) !== !!folder) throw new UsageError(`--limit-action ${action}: give block, delete or move:FOLDER_ID`);
      o.limitAction = code;
      if (folder) o.limitActionToFolder = folder;
    }
    let chunkSize: number | undefined; // the default is sendFiles'
    const chunkText = str(v['chunk-size']);
    if (chunkText !== undefined) {
      chunkSize = parseSize(chunkText);
      if (!chunkSize) throw new UsageError(`--chunk-size ${chunkText}: give bytes, or a number with K, M or G`);
    }
    if (anonymous && (o.folderId || o.timeLimit !== undefined || o.downloadLimit !== undefined || o.limitAction !== undefined))
      throw new UsageError('--folder, --expire, --limit and --limit-action need a login; they do not go with --anonymous');
    const files = await Promise.all(
      paths.map((p) =>
        fileFromPath(p, str(v.description) ? { description: str(v.description) } : {}).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`${p}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
        }),
      ),
    );
    const client = ctx.client({ session: !anonymous });
    const view = progressView(
      ctx.io.stderr,
      files.map((f) => f.name),
      'upload',
      v.quiet === true,
      files.map((f) => f.size),
    );
    const out = await sendFiles({
      client,
      env: ctx.io.env,
      paths,
      files,
      options: o,
      chunkSize,
      onProgress: (p) => view.update(p),
      onResume: (name, offset) => {
        if (v.quiet !== true) ctx.io.stderr.write(`${name}: continuing an earlier upload from ${offset} bytes\n`);
      },
    }).finally(() => view.done());
    const lines = out.map((f) => `${f.name}\t${f.downloadUrl}${anonymous && f.deleteUrl ? `\n  delete: ${f.deleteUrl}` : ''}`);
    ctx.print(
      lines.join('\n'),
      out.map((f) => ({
        fileId: f.fileId,
        name: f.name,
        downloadUrl: f.downloadUrl,
        deleteUrl: f.deleteUrl,
        resumedFrom: f.resumedFrom,
        file: f.record,
      })),
    );
  },
};
