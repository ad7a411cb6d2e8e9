/**
 * Unfinished resumable uploads, so that running `sbay upload` again on the same file
 * continues where the last run stopped: the tus upload URL (a capability, hence mode
 * 0600) in $XDG_CONFIG_HOME/sendbay/uploads.json, keyed by server, absolute path,
 * size and mtime (a file that changed starts afresh). An entry goes when its upload
 * finishes; stale ones (the server forgets unfinished uploads after a day by default)
 * are dropped on the next write. Written to a temporary file and renamed, as the
 * session is.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configDir } from './session-store.js';

export interface ResumeKey {
  server: string;
  path: string;
  size: number;
  mtimeMs: number;
}

interface Entry {
  url: string;
  savedAt: number;
}

/** Entries older than this are dropped: the server has expired them by then. */
const KEEP_MS = 7 * 86_400_000;

export function resumeStorePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'uploads.json');
}

function keyOf(k: ResumeKey): string {
  return JSON.stringify([k.server, k.path, k.size, Math.round(k.mtimeMs)]);
}

async function load(env: NodeJS.ProcessEnv): Promise<Record<string, Entry>> {
  try {
    const all = JSON.parse(await readFile(resumeStorePath(env), 'utf8')) as unknown;
    return all && typeof all === 'object' ? (all as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

async function save(env: NodeJS.ProcessEnv, all: Record<string, Entry>): Promise<void> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = resumeStorePath(env);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function findUpload(env: NodeJS.ProcessEnv, k: ResumeKey): Promise<string | undefined> {
  const e = (await load(env))[keyOf(k)];
  return e && typeof e.url === 'string' ? e.url : undefined;
}

export async function rememberUpload(env: NodeJS.ProcessEnv, k: ResumeKey, url: string): Promise<void> {
  const all = await load(env);
  const now = Date.now();
  for (const [key, e] of Object.entries(all)) if (!(now - e.savedAt < KEEP_MS)) delete all[key];
  all[keyOf(k)] = { url, savedAt: now };
  await save(env, all);
}

export async function forgetUpload(env: NodeJS.ProcessEnv, k: ResumeKey): Promise<void> {
  const all = await load(env);
  if (!(keyOf(k) in all)) return;
  delete all[keyOf(k)];
  await save(env, all);
}
