/**
 * Test fixture: a stored file made without the upload route (bytes in the blob store,
 * a `files` row, the owner's disk usage charged), with whatever limits a test needs.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { newUniqueId } from '../domain/ids.js';
import { randomKey } from '../lib/crypto.js';
import { FilesRepository, type FileRow } from '../metadata/repositories/files.js';

export interface StoredFileOptions {
  /** The owner's user id; null (the default) for an anonymous upload. */
  ownerId?: string | null;
  name?: string;
  content?: Buffer | string;
  description?: string;
  password?: string;
  folderId?: string;
  downloadLimit?: number;
  /** Seconds from now until the time limit runs out. */
  timeLimit?: number;
  limitAction?: 0 | 1 | 2 | 3;
  limitActionToFolder?: string;
  uploadTime?: number;
  lastDownloadAt?: number;
}

export async function storeTestFile(ctx: AppContext, opts: StoredFileOptions = {}): Promise<FileRow> {
  const files = new FilesRepository(ctx.db);
  const content = typeof opts.content === 'string' ? Buffer.from(opts.content) : (opts.content ?? Buffer.from('hello, sendbay\n'));
  const blobKey = randomKey(32);
  await ctx.blobs.put(blobKey, Readable.from([content]));
  const id = await newUniqueId((x) => files.idExists(x));
  const now = ctx.clock.now();
  const ownerId = opts.ownerId ?? null;
  await files.insert({
    id,
    owner_id: ownerId,
    folder_id: opts.folderId ?? '0',
    name: opts.name ?? 'hello.txt',
    description: opts.description ?? '',
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    blob_key: blobKey,
    password_sealed: opts.password === undefined ? null : ctx.secrets.encrypt(opts.password),
    upload_time: opts.uploadTime ?? now,
    time_limit: opts.timeLimit ?? null,
    limit_expires_at: opts.timeLimit === undefined ? null : now + opts.timeLimit,
    download_limit: opts.downloadLimit ?? null,
    limit_action: opts.limitAction ?? 0,
    limit_action_to_folder: opts.limitActionToFolder ?? null,
    delete_salt: randomKey(16),
    last_download_at: opts.lastDownloadAt ?? null,
  });
  // Through the server's own quota repository, so its account cache sees the charge.
  if (ownerId !== null) await ctx.quota.chargeDisk(ownerId, content.length, -1);
  return (await files.findById(id)) as FileRow;
}

/** A folder row for `ownerId` (limit action 3 needs a target). */
export async function createTestFolder(ctx: AppContext, ownerId: string, name = 'Archive'): Promise<string> {
  const id = await newUniqueId(
    async (x) => (await ctx.db.selectFrom('folders').select('id').where('id', '=', x).executeTakeFirst()) !== undefined,
  );
  await ctx.db
    .insertInto('folders')
    .values({
      id,
      owner_id: ownerId,
      parent_id: '0',
      name,
      shared: 0,
      password_sealed: null,
      business_shared: 0,
      created_at: ctx.clock.now(),
    })
    .execute();
  return id;
}
