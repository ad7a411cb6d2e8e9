/** sbay download: to a file (resumed when a part is there) or to stdout with `-o -`. */
import { resolveDownload } from '@sendbay/client';
import { downloadToFile, downloadToStream, type DownloadResult } from '@sendbay/client/node';
import { basename, join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command } from '../command.js';
import { need, str } from '../command.js';
import { progressView } from '../progress-view.js';

export const download: Command = {
  name: 'download',
  summary:
    "Download a file by id or link. A shorter file already at PATH is resumed (Range); the bytes are checked against the server's SHA-256.",
  usage: 'sbay download URL|ID [-o PATH] [--password PW] [--no-verify]',
  help: `  -o, --output PATH  where to write (default: the file's name here; a folder; - for stdout)
  --password PW      the file's password
  --no-verify        skip the SHA-256 check (hashing is most of the CPU a download takes)
  --quiet            no progress`,
  options: {
    output: { type: 'string', short: 'o' },
    password: { type: 'string' },
    'no-verify': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  },
  async run(ctx, v, args) {
    need(args, 1, download, 'URL or ID');
    const what = args[0]!;
    // A link can be fetched without a login; an id needs the session (or --server).
    const loggedIn = !!ctx.saved && (!ctx.server || ctx.saved.server === ctx.server);
    const client = ctx.client({ session: loggedIn });
    const password = str(v.password);
    const out = str(v.output);
    const target = await resolveDownload(client, what, password ? { password } : {});
    const view = progressView(ctx.io.stderr, [target.name], 'download', v.quiet === true || out === '-');
    const opts = { ...(password ? { password } : {}), verify: v['no-verify'] !== true, onProgress: view.update };
    let r: DownloadResult;
    let path: string | undefined;
    try {
      if (out === '-') r = await downloadToStream(client, target, ctx.io.stdout, opts);
      else {
        path = out ?? basename(target.name) ?? 'download';
        if (out && (await stat(out).catch(() => undefined))?.isDirectory()) path = join(out, basename(target.name));
        r = await downloadToFile(client, target, path, opts);
      }
    } finally {
      view.done();
    }
    if (out === '-') return;
    const note = r.resumedFrom > 0 ? ` (resumed at ${r.resumedFrom} bytes)` : '';
    ctx.print(`${path}\t${r.bytes} bytes${note}${r.verified ? ', SHA-256 checked' : ''}`, { path, ...r });
  },
};
