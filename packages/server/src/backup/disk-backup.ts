/**
 * `sendbay backup` and `restore` for the default installation: SQLite plus a folder of
 * blobs. The database is copied with SQLite's online backup API (a consistent snapshot
 * while the server keeps writing), then every blob the snapshot refers to is copied (or
 * hard-linked with --link: blobs are never modified once written). A blob that vanished
 * between the snapshot and its copy (its file was deleted meanwhile) fails the backup:
 * better to run it again than to keep a backup that points at nothing.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { diskBlobPath } from '../blobs/disk-store.js';

export const BACKUP_DB = 'sendbay.sqlite';
export const MANIFEST = 'sendbay-backup.json';

export interface Manifest {
  format: 1;
  createdAt: string;
  files: number;
  blobs: number;
  bytes: number;
  /** Whether the data folder's `secret` file is in the backup (false: SENDBAY_SECRET was configured). */
  secret: boolean;
}

export class BackupError extends Error {}

/** A folder that is missing or empty; made if missing. */
export async function emptyFolder(dir: string, what: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (entries.length > 0) throw new BackupError(`${what} ${dir} is not empty`);
  await mkdir(dir, { recursive: true });
}

async function place(from: string, to: string, hardLink: boolean): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (hardLink) {
    try {
      await link(from, to);
      return;
    } catch (err) {
      // Another file system: copy instead.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  await copyFile(from, to, constants.COPYFILE_FICLONE);
}

function blobKeys(dbFile: string): { key: string; size: number }[] {
  const db = new SQLite(dbFile, { fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the database copy fails SQLite's integrity check: ${String(check)}`);
    return db.prepare('select blob_key as key, size from files order by blob_key').all() as { key: string; size: number }[];
  } finally {
    db.close();
  }
}

export async function backupSqliteAndDisk(
  source: { dbFile: string; dataDir: string; blobsRoot: string },
  dir: string,
  opts: { link: boolean },
): Promise<Manifest> {
  await emptyFolder(dir, 'the backup folder');
  const target = join(dir, BACKUP_DB);
  const live = new SQLite(source.dbFile, { fileMustExist: true });
  try {
    await live.backup(target);
  } finally {
    live.close();
  }
  const rows = blobKeys(target);
  const vanished: string[] = [];
  let bytes = 0;
  const blobsDir = join(source.blobsRoot, 'blobs');
  for (const { key, size } of rows) {
    try {
      await place(diskBlobPath(blobsDir, key), diskBlobPath(join(dir, 'blobs'), key), opts.link);
      bytes += size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      vanished.push(key);
    }
  }
  if (vanished.length > 0)
    throw new BackupError(
      `${vanished.length} blob(s) the snapshot refers to were gone when copied (files deleted while the backup ran, or missing: see \`sendbay fsck\`): ${vanished.slice(0, 5).join(', ')}${vanished.length > 5 ? ', …' : ''}. Run the backup again.`,
    );
  const secretFile = join(source.dataDir, 'secret');
  const secret = await stat(secretFile).then(
    () => true,
    () => false,
  );
  if (secret) await copyFile(secretFile, join(dir, 'secret'));
  const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), files: rows.length, blobs: rows.length, bytes, secret };
  await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    throw new BackupError(`${dir} is not a Sendbay backup (no ${MANIFEST})`);
  }
  const m = JSON.parse(text) as Manifest;
  if (m.format !== 1) throw new BackupError(`${dir}: unknown backup format ${String(m.format)}`);
  return m;
}

/** Into a data folder that is missing or empty, with the server stopped. */
export async function restoreSqliteAndDisk(dir: string, target: { dbFile: string; dataDir: string; blobsRoot: string }): Promise<Manifest> {
  const manifest = await readManifest(dir);
  await emptyFolder(target.dataDir, 'the data folder');
  if (
    await stat(target.dbFile).then(
      () => true,
      () => false,
    )
  )
    throw new BackupError(`${target.dbFile} already exists: restore only into an empty installation`);
  await mkdir(dirname(target.dbFile), { recursive: true });
  await copyFile(join(dir, BACKUP_DB), target.dbFile);
  for (const { key } of blobKeys(target.dbFile))
    await place(diskBlobPath(join(dir, 'blobs'), key), diskBlobPath(join(target.blobsRoot, 'blobs'), key), false);
  if (manifest.secret) await copyFile(join(dir, 'secret'), join(target.dataDir, 'secret'));
  return manifest;
}
