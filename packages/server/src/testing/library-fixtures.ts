/**
 * Stored files for library tests, made the way an upload leaves them (bytes in the
 * blob store, a files row, the quota charged) without going through the upload route.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { newUniqueId } from '../domain/ids.js';
import { randomKey } from '../lib/crypto.js';
import { FilesRepository, type FileRow } from '../metadata/repositories/files.js';
import { UsersRepository, type UserRow } from '../metadata/repositories/users.js';
import type { TestServer } from './test-server.js';

export interface StoredFileOptions {
  name?: string;
  content?: string | Buffer;
  folderId?: string;
  description?: string;
  /** Sealed with the server secret, as files.setInfo does. */
  password?: string;
  uploadTime?: number;
  businessShared?: boolean;
}

/** Stores a file owned by `ownerId` and returns its row. */
export async function storeFile(server: TestServer, ownerId: string, opts: StoredFileOptions = {}): Promise<FileRow> {
  const { ctx } = server;
  const name = opts.name ?? `file-${randomKey(6)}.txt`;
  const body =
    typeof opts.content === 'string' || opts.content === undefined ? Buffer.from(opts.content ?? `the bytes of ${name}\n`) : opts.content;
  const key = randomKey(32);
  const { size } = await ctx.blobs.put(key, Readable.from([body]));
  const files = new FilesRepository(ctx.db);
  const id = await newUniqueId((candidate) => files.idExists(candidate));
  await files.insert({
    id,
    owner_id: ownerId,
    folder_id: opts.folderId ?? '0',
    name,
    description: opts.description ?? '',
    size,
    sha256: createHash('sha256').update(body).digest('hex'),
    blob_key: key,
    password_sealed: opts.password === undefined ? null : ctx.secrets.encrypt(opts.password),
    upload_time: opts.uploadTime ?? ctx.clock.now(),
    time_limit: null,
    limit_expires_at: null,
    download_limit: null,
    limit_action_to_folder: null,
    business_shared: opts.businessShared ? 1 : 0,
    delete_salt: randomKey(16),
    last_download_at: null,
  });
  // Through the context's repository, so the cached account figures are dropped too.
  if (!(await ctx.quota.chargeDisk(ownerId, size, -1))) throw new Error('quota charge failed');
  const row = await files.findById(id);
  if (!row) throw new Error('stored file vanished');
  return row;
}

export async function fileRow(server: TestServer, id: string): Promise<FileRow | undefined> {
  return new FilesRepository(server.ctx.db).findById(id);
}

export async function userRow(server: TestServer, id: string): Promise<UserRow> {
  const row = await new UsersRepository(server.ctx.db).findById(id);
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

/**
 * Every blob key the server's store holds, read from the store itself (the disk, or the
 * bucket through a client of the test's own), not through the server.
 */
export async function storedBlobKeys(server: TestServer): Promise<Set<string>> {
  if (!server.bucket) return blobFilesOnDisk(server.dataDir);
  return new Set((await server.bucket.objectKeys()).filter((k) => k.startsWith('blobs/')).map((k) => k.slice('blobs/'.length)));
}

/** Every blob file name under `<dataDir>/blobs`, read from the disk itself. */
export async function blobFilesOnDisk(dataDir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else out.add(e.name);
    }
  };
  await walk(join(dataDir, 'blobs'));
  return out;
}

/** Attribute names, in document order, of each `<tag …/>` element in an answer. */
export function attributeNames(xml: string, tag: string): string[][] {
  return [...xml.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    [...(m[1] ?? '').matchAll(/([a-z_]+)="/g)].map((a) => a[1] as string),
  );
}

/** The names of the children of `<result>`, in order (text elements and elements alike). */
export function childNames(xml: string): string[] {
  return [...xml.matchAll(/^ {4}<([a-z_]+)/gm)].map((m) => m[1] as string);
}

/** A test clock the tests move forward by hand. */
export function manualClock(start = Math.floor(Date.now() / 1000)): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => void (t += s) };
}
