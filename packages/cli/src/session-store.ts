/**
 * The saved login: server, e-mail and session key (never the password) in
 * $XDG_CONFIG_HOME/sendbay/session.json (default ~/.config), readable by its owner
 * only. Written to a temporary file and renamed so a crash never leaves half a file.
 */
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readJsonFile, writePrivateJsonFile } from './private-file.js';

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
  const s = (await readJsonFile(sessionPath(env))) as Partial<SavedSession> | undefined;
  return s && typeof s.server === 'string' && typeof s.sessionKey === 'string' ? (s as SavedSession) : undefined;
}

export async function saveSession(env: NodeJS.ProcessEnv, s: SavedSession): Promise<string> {
  const path = sessionPath(env);
  await writePrivateJsonFile(path, s);
  return path;
}

export async function clearSession(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(sessionPath(env), { force: true });
}
