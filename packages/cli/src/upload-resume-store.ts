/**
 * Unfinished resumable uploads, so that running `sbay upload` again on the same file
 * continues where the last run stopped: the tus upload URL (a capability, hence mode
 * 0600) in $XDG_CONFIG_HOME/sendbay/uploads.json, keyed by server, absolute path,
 * size and mtime (a file that changed starts afresh). An entry goes when its upload
 * finishes; stale ones (the server forgets unfinished uploads after a day by default)
 * are dropped on the next write. Written to a temporary file and renamed, as the
 * session is.
 */
import { join } from 'node:path';
import { readJsonFile, writePrivateJsonFile } from './private-file.js';
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
  const all = await readJsonFile(resumeStorePath(env));
  return all && typeof all === 'object' ? (all as Record<string, Entry>) : {};
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
  await writePrivateJsonFile(resumeStorePath(env), all);
}

export async function forgetUpload(env: NodeJS.ProcessEnv, k: ResumeKey): Promise<void> {
  const all = await load(env);
  if (!(keyOf(k) in all)) return;
  delete all[keyOf(k)];
  await writePrivateJsonFile(resumeStorePath(env), all);
}
