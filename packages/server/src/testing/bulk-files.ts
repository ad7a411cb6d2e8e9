/**
 * Many file rows at once, written straight into the metadata database in one
 * transaction (500 rows per statement): for tests of listings over 100,000 files, where
 * storing bytes for each would only cost time. The rows have no blobs and charge no
 * quota, so tests must not download or delete them.
 */
import { randomKey } from '../lib/crypto.js';
import type { NewFileRow } from '../metadata/repositories/files.js';
import type { TestServer } from './test-server.js';

export interface BulkFile {
  name: string;
  size: number;
  uploadTime: number;
}

/** Inserts `count` files into `folderId` of `ownerId`; `shape(i)` names, sizes and dates them. Returns their ids. */
export async function insertBulkFiles(
  server: TestServer,
  ownerId: string,
  folderId: string,
  count: number,
  shape: (i: number) => BulkFile,
): Promise<string[]> {
  if (count > 36 ** 4) throw new Error('at most 36^4 files per call');
  const ids: string[] = [];
  // Six characters like real ids: two random ones for the call, then a counter.
  const prefix = randomKey(2);
  await server.ctx.db.transaction().execute(async (trx) => {
    for (let start = 0; start < count; start += 500) {
      const rows: NewFileRow[] = [];
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const s = shape(i);
        const id = `${prefix}${i.toString(36).padStart(4, '0')}`;
        ids.push(id);
        rows.push({
          id,
          owner_id: ownerId,
          folder_id: folderId,
          name: s.name,
          description: '',
          size: s.size,
          sha256: '0'.repeat(64),
          blob_key: `bulk-${randomKey(24)}`,
          password_sealed: null,
          upload_time: s.uploadTime,
          time_limit: null,
          limit_expires_at: null,
          download_limit: null,
          limit_action_to_folder: null,
          delete_salt: randomKey(16),
          last_download_at: null,
        });
      }
      await trx.insertInto('files').values(rows).execute();
    }
  });
  return ids;
}
