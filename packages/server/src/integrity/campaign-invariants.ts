/**
 * What must hold after a crash and a sweep (both maintenance sweeps: the orphan
 * one and the resumable uploads' one), checked on the data folder the killed server
 * left: opened as the next start would open it, with the clock two hours on
 * (and the temporary files aged to match) so the sweeper treats everything the
 * crash left as abandoned, as it will once the grace period has passed.
 */
import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import type { Config } from '../config.js';
import { createContext } from '../context.js';
import { filesUnder } from '../testing/upload-kit.js';
import type { Ledger } from './campaign-traffic.js';

const LATER = 2 * 3600;

async function ageTemporaries(dir: string): Promise<void> {
  const then = new Date(Date.now() - LATER * 1000);
  for (const name of await readdir(dir).catch(() => [] as string[])) await utimes(join(dir, name), then, then).catch(() => undefined);
}

/** Every broken invariant, one line each; empty when all hold. */
export async function brokenInvariants(config: Config, ledger: Ledger): Promise<string[]> {
  const broken: string[] = [];
  const tmp = join(config.dataDir, 'tmp');
  await ageTemporaries(tmp);
  const ctx = await createContext(config, {
    logger: pino({ level: 'silent' }),
    telemetry: 'none',
    clock: { now: () => Math.floor(Date.now() / 1000) + LATER },
  });
  try {
    for (const name of ['remove expired resumable uploads', 'sweep orphan blobs and stale temporary files']) {
      const job = ctx.jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job "${name}" in the context`);
      await job.run();
    }

    // Rows have their blobs, sizes and SHA-256; no blob is left without a row; usage = sum of sizes.
    const report = await ctx.fsck.run({ repair: false, hashes: true });
    for (const p of report.problems) broken.push(`fsck ${p.kind}: ${p.detail}`);
    if (report.recentStrays > 0) broken.push(`${report.recentStrays} unreferenced blob(s) survived the sweep`);
    for (const f of await filesUnder(tmp)) broken.push(`temporary file left after the sweep: ${f.slice(config.dataDir.length)}`);

    // An unfinished resumable upload keeps every byte it acknowledged: its data holds at
    // least its offset (a crash after the write, before the offset moved, leaves more),
    // or, its bytes already moved, its blob is there for the next HEAD to finish it.
    const tusDir = join(config.dataDir, 'tus');
    const uploads = await ctx.db.selectFrom('tus_uploads').selectAll().where('file_id', 'is', null).execute();
    for (const u of uploads) {
      const held = await stat(join(tusDir, u.id)).catch(() => undefined);
      const blob = u.blob_key ? await ctx.blobs.stat(u.blob_key) : undefined;
      if (!blob && (held?.size ?? 0) < u.upload_offset)
        broken.push(`resumable upload ${u.id}: offset ${u.upload_offset} acknowledged, ${held?.size ?? 'no'} bytes kept`);
    }
    const known = new Set((await ctx.db.selectFrom('tus_uploads').select('id').execute()).map((u) => u.id));
    for (const name of await readdir(tusDir).catch(() => [] as string[]))
      if (!known.has(name)) broken.push(`resumable upload data ${name} belongs to no upload after the sweep`);

    const rows = await ctx.db.selectFrom('files').select(['id', 'folder_id', 'size', 'sha256', 'downloads', 'download_limit']).execute();
    const folders = new Set((await ctx.db.selectFrom('folders').select('id').execute()).map((f) => f.id));
    for (const r of rows)
      if (r.folder_id !== '0' && !folders.has(r.folder_id)) broken.push(`file ${r.id} is in folder ${r.folder_id}, which does not exist`);

    // Whatever the server acknowledged is there, unless a client asked for it to go.
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, f] of ledger.acked) {
      if (ledger.deleteSent.has(id) || ledger.folderDeleteSent.has(f.folderId)) continue;
      const row = byId.get(id);
      if (!row) broken.push(`acknowledged upload ${id} (${f.size} bytes) is gone`);
      else if (row.size !== f.size || row.sha256 !== f.sha256) broken.push(`acknowledged upload ${id} holds other bytes than were sent`);
    }

    // A download limit is never passed, counted by the clients and by the server.
    for (const [id, l] of ledger.limited) {
      if (l.fullDownloads > l.limit) broken.push(`file ${id}: ${l.fullDownloads} complete downloads, its limit is ${l.limit}`);
      const row = byId.get(id);
      if (row && row.downloads > l.limit) broken.push(`file ${id}: the server counted ${row.downloads} downloads, its limit is ${l.limit}`);
    }
  } finally {
    await ctx.dispose();
  }
  return broken;
}
