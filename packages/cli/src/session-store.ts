/**
 * The saved login: server, e-mail and session key (never the password) in
 * $XDG_CONFIG_HOME/sendbay/session.json (default ~/.config), readable by its owner
 * only. Written to a temporary file and renamed so a crash never leaves half a file.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SavedSession {
  server: string;
  email: string;
  sessionKey: string;
  /** What auth.login said, for whoami. */
  userName?: string;
  plan?: string;
  savedAt: number;
}

export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'sendbay');
}

export function sessionPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'session.json');
}

export async function loadSession(env: NodeJS.ProcessEnv): Promise<SavedSession | undefined> {
  try {
    const s = JSON.parse(await readFile(sessionPath(env), 'utf8')) as SavedSession;
    return typeof s.server === 'string' && typeof s.sessionKey === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function saveSession(env: NodeJS.ProcessEnv, s: SavedSession): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = sessionPath(env);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

export async function clearSession(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(sessionPath(env), { force: true });
}
