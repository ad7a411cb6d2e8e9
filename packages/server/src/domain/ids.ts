/** New 6-character ids for files and folders, retried on the rare collision. */
import { randomKey } from '../lib/crypto.js';

export async function newUniqueId(exists: (id: string) => Promise<boolean>): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const id = randomKey(6);
    if (!(await exists(id))) return id;
  }
  throw new Error('could not find a free id');
}
