/**
 * Resumable uploads as files under `<dataDir>/tus/<id>`, apart from the blob store's own
 * temporary folder so the orphan sweeper never takes them. Each append writes at its
 * offset and fsyncs before it resolves; the finished file is renamed into the blob store
 * (no copy) when that store can adopt files, else streamed into it.
 */
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../blobs/blob-store.js';
import { SyncedFileWriter } from '../blobs/synced-file-writer.js';
import type { AppendOptions, AppendResult, ResumableStore, StoredUpload } from './resumable-store.js';

const ID_RE = /^[a-z0-9]{16,64}$/;
/** What an append may hold in memory while the disk catches up (as the blob store's puts). */
const WRITE_BUFFER = 256 * 1024;
/**
 * An fdatasync in the background every MiB: PATCHes are often only a few MB (PsiTransfer's
 * client sends 5 MB) and each is flushed before its answer, so syncing only every 8 MiB, as
 * the blob store does, would leave the whole PATCH to its final fsync (median PATCH of
 * 5 MB: 36 ms with that, 24 ms with this).
 */
const SYNC_EVERY = 1024 * 1024;

export class DiskResumableStore implements ResumableStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly blobs: BlobStore,
  ) {
    this.dir = resolve(dataDir, 'tus');
  }

  private pathOf(id: string): string {
    if (!ID_RE.test(id)) throw new Error('invalid upload id');
    return join(this.dir, id);
  }

  async create({ id }: StoredUpload): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const fh = await open(this.pathOf(id), 'wx');
    await fh.close();
  }

  async append({ id }: StoredUpload, offset: number, body: Readable, opts: AppendOptions = {}): Promise<AppendResult> {
    const path = this.pathOf(id);
    const fh = await open(path, 'r+');
    let error: unknown;
    try {
      await fh.truncate(offset);
      // Written back while it arrives, so the fsync before the answer has little left to do.
      const out = new SyncedFileWriter(path, { flags: 'r+', start: offset, syncEvery: SYNC_EVERY, highWaterMark: WRITE_BUFFER });
      await pipeline(body, out).catch(async (err: unknown) => {
        error = err;
        // A write may still be under way: let it land (the stream closes after it) before measuring.
        if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
      });
      const failed = error === undefined ? {} : { error };
      if (opts.whole && (error !== undefined || !opts.whole())) {
        await fh.truncate(offset);
        await fh.sync();
        return { written: 0, state: null, ...failed, ...(error === undefined ? { rejected: true } : {}) };
      }
      // The writer made what it wrote durable when it finished; cut short, it did not.
      if (error !== undefined) await fh.sync();
      // What reached the file, whatever the stream reports: appends run one at a time
      // (the upload lock), so everything past `offset` is this body's.
      const { size } = await fh.stat();
      return { written: Math.max(0, size - offset), state: null, ...failed };
    } finally {
      await fh.close();
    }
  }

  async truncate({ id }: StoredUpload, offset: number): Promise<void> {
    const fh = await open(this.pathOf(id), 'r+');
    try {
      await fh.truncate(offset);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async finish({ id, blobKey: key }: StoredUpload): Promise<void> {
    const path = this.pathOf(id);
    if (this.blobs.adoptFile) {
      try {
        return await this.blobs.adoptFile(key, path);
      } catch (err) {
        // Blobs on another file system (a rename cannot cross): copy instead.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      }
    }
    const fh = await open(path, 'r'); // fails now (ENOENT) rather than mid-stream
    await this.blobs.put(key, fh.createReadStream({ highWaterMark: 1024 * 1024 }));
    await rm(path, { force: true });
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  async *list(): AsyncIterable<{ id: string; modifiedAt: number }[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => ID_RE.test(n));
    for (let i = 0; i < names.length; i += 500) {
      const batch: { id: string; modifiedAt: number }[] = [];
      for (const id of names.slice(i, i + 500)) {
        const s = await stat(join(this.dir, id)).catch(() => null);
        if (s) batch.push({ id, modifiedAt: Math.floor(s.mtimeMs / 1000) });
      }
      if (batch.length > 0) yield batch;
    }
  }
}
