/** `sendbay backup DIR`, `restore DIR` and `fsck [--repair]`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { BackupError, backupSqliteAndDisk, restoreSqliteAndDisk } from '../backup/disk-backup.js';
import { backupProcedure } from '../backup/procedures.js';
import { openContext } from './data-folder.js';
import { AdminError, UsageError, type Io } from './io.js';

function args(rest: string[], flags: string[]) {
  try {
    return parseArgs({
      args: rest,
      options: Object.fromEntries(flags.map((f) => [f, { type: 'boolean' as const }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function localPaths(config: Config) {
  if (config.database.kind !== 'sqlite' || config.blobs.kind !== 'disk') return undefined;
  return { dbFile: config.database.file, dataDir: config.dataDir, blobsRoot: config.blobs.dir };
}

export async function backup(config: Config, rest: string[], io: Io): Promise<number> {
  const { positionals, values } = args(rest, ['link']);
  if (positionals.length !== 1) throw new UsageError('backup needs exactly one folder: sendbay backup DIR');
  const paths = localPaths(config);
  if (!paths) {
    io.err(backupProcedure(config));
    return 1;
  }
  try {
    const m = await backupSqliteAndDisk(paths, resolve(positionals[0]!), { link: values.link === true });
    io.out(
      `backup written to ${resolve(positionals[0]!)}: ${m.files} file(s), ${m.bytes} bytes${m.secret ? '' : ' (no secret file: keep SENDBAY_SECRET with it)'}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BackupError) throw new AdminError(err.message);
    throw err;
  }
}

export async function restore(config: Config, rest: string[], io: Io): Promise<number> {
  const { positionals } = args(rest, []);
  if (positionals.length !== 1) throw new UsageError('restore needs exactly one folder: sendbay restore DIR');
  const paths = localPaths(config);
  if (!paths) {
    io.err(backupProcedure(config));
    return 1;
  }
  try {
    const m = await restoreSqliteAndDisk(resolve(positionals[0]!), paths);
    io.out(`restored ${m.files} file(s), ${m.bytes} bytes from the backup of ${m.createdAt} into ${config.dataDir}; checking it:`);
  } catch (err) {
    if (err instanceof BackupError) throw new AdminError(err.message);
    throw err;
  }
  const ctx = await openContext(config);
  try {
    return await report(ctx, { repair: false, hashes: true }, io);
  } finally {
    await ctx.dispose();
  }
}

export async function fsck(ctx: AppContext, rest: string[], io: Io): Promise<number> {
  const { values } = args(rest, ['repair', 'no-hashes']);
  return report(ctx, { repair: values.repair === true, hashes: values['no-hashes'] !== true }, io);
}

async function report(ctx: AppContext, opts: { repair: boolean; hashes: boolean }, io: Io): Promise<number> {
  const r = await ctx.fsck.run(opts);
  for (const p of r.problems) io.out(`${p.kind}: ${p.detail}${p.repaired ? ' (repaired)' : ''}`);
  if (r.recentStrays > 0)
    io.out(`note: ${r.recentStrays} unreferenced blob(s) younger than SENDBAY_ORPHAN_GRACE left alone (uploads in flight?)`);
  const open = r.problems.filter((p) => !p.repaired);
  io.out(
    `${r.files} file(s), ${r.bytes} bytes, ${r.blobs} blob(s) checked${opts.hashes ? ' (sizes and SHA-256)' : ' (sizes only)'}: ` +
      (r.problems.length === 0 ? 'no problems' : `${r.problems.length} problem(s), ${open.length} not repaired`),
  );
  return open.length === 0 ? 0 : 1;
}
