/**
 * The CLI's own files under $XDG_CONFIG_HOME/sendbay (the session, unfinished uploads):
 * secrets, so readable by their owner only, and written to a temporary file and renamed
 * so that a crash never leaves half a file.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The JSON at `path`, or undefined when there is none (or it is not JSON). */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export async function writePrivateJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  // The mode given to writeFile is filtered by the umask; the file must be 0600 whatever it is.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
