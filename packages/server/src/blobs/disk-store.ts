/**
 * Blobs as files under `<root>/blobs/ab/cd/<key>`. A put streams to a temporary file in
 * `<root>/tmp`, fsyncs it, then renames it into place: a reader never sees a partial
 * blob, and a failed or aborted put leaves nothing at its key.
 */
import { access, constants, mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomKey } from '../lib/crypto.js';
import type { BlobStore, ByteRange, DirectWritable } from './blob-store.js';
import { SyncedFileWriter } from './synced-file-writer.js';

const KEY_RE = /^[A-Za-z0-9_-]{8,128}$/;
/** Read size for downloads: 1 MiB chunks keep pace with nginx's sendfile; 64 KiB reach under half. */
const READ_CHUNK = 1024 * 1024;
/**
 * What a put may hold in memory while the disk catches up. 1 MiB made 20 concurrent
 * uploads peak ~40 MB higher than 256 KiB, for no measurable gain in speed.
 */
const WRITE_BUFFER = 256 * 1024;
/**
 * How often a put starts writing back what it has received (see SyncedFileWriter): often
 * enough that little is left for the last fsync, seldom enough to cost nothing.
 */
const SYNC_EVERY = 8 * 1024 * 1024;

/**
 * Where the blob `key` lives under a store's `blobs` folder: `ab/cd/<key>`. Exported for
 * `sendbay backup` and `restore`, which copy this layout file by file.
 */
export function diskBlobPath(blobsDir: string, key: string): string {
  if (!KEY_RE.test(key)) throw new Error(`invalid blob key`);
  const p = join(blobsDir, key.slice(0, 2), key.slice(2, 4), key);
  if (!p.startsWith(blobsDir + sep)) throw new Error('blob path escapes the store');
  return p;
}

export class DiskBlobStore implements BlobStore {
  private readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(root: string) {
    this.blobsDir = resolve(root, 'blobs');
    this.tmpDir = resolve(root, 'tmp');
  }

  /** Maps a key to its path; refuses anything that is not a server-made key. */
  private pathOf(key: string): string {
    return diskBlobPath(this.blobsDir, key);
  }

  async put(key: string, body: Readable, opts: { signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const target = this.pathOf(key);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${key}.${randomKey(8)}.part`);
    let size = 0;
    body.on('data', (c: Buffer) => {
      size += c.length;
    });
    try {
      // Durable when the pipeline resolves: the writer fsyncs before it finishes.
      await pipeline(
        body,
        new SyncedFileWriter(tmp, { syncEvery: SYNC_EVERY, highWaterMark: WRITE_BUFFER }),
        opts.signal ? { signal: opts.signal } : {},
      );
      const dir = join(target, '..');
      await mkdir(dir, { recursive: true });
      await rename(tmp, target);
      // The rename is durable only once the directory entry is: sync the directory too.
      await syncDirectory(dir);
      return { size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async check(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await access(this.blobsDir, constants.R_OK | constants.W_OK);
  }

  /** Renames a durable file (on the data folder's file system) into place at `key`. */
  async adoptFile(key: string, path: string): Promise<void> {
    const target = this.pathOf(key);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    await rename(path, target);
    await syncDirectory(dir);
  }

  async get(key: string, range?: ByteRange): Promise<DiskBlobReadStream> {
    const path = this.pathOf(key);
    const fh = await open(path, 'r'); // fails early (ENOENT) before any byte is promised
    return new DiskBlobReadStream(fh, range);
  }

  async stat(key: string): Promise<{ size: number; modifiedAt: number } | null> {
    try {
      const s = await stat(this.pathOf(key));
      return { size: s.size, modifiedAt: Math.floor(s.mtimeMs / 1000) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async *list(): AsyncIterable<string[]> {
    let level1: string[];
    try {
      level1 = await readdir(this.blobsDir);
    } catch {
      return;
    }
    for (const a of level1) {
      for (const b of await readdir(join(this.blobsDir, a)).catch(() => [] as string[])) {
        const keys = (await readdir(join(this.blobsDir, a, b)).catch(() => [] as string[])).filter((k) => KEY_RE.test(k));
        if (keys.length > 0) yield keys;
      }
    }
  }

  /**
   * Temporary files untouched for `olderThanSeconds`: what a crash mid-upload leaves
   * behind. Those of keys `keep` accepts (puts still running) stay.
   */
  async removeStaleTemporaries(
    olderThanSeconds: number,
    keep: (key: string) => boolean = () => false,
    nowMs = Date.now(),
  ): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      if (keep(name.split('.')[0] as string)) continue;
      const p = join(this.tmpDir, name);
      const s = await stat(p).catch(() => null);
      if (s && nowMs - s.mtimeMs > olderThanSeconds * 1000) {
        await rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/**
 * The bytes of a blob (or of a range of it). As a Readable it is an ordinary file read
 * stream. `writeTo` is the faster way to send it: two buffers, reused, each refilled while
 * the other is being written. A Readable must hand out a new buffer per chunk (it cannot
 * know when its consumer is done with one), and a 2 GiB download then allocates 2 GiB of
 * buffers: in a process that has been idle, V8 answers that churn with a full garbage
 * collection every few tens of MB, which halved download speed (see bench/README.md).
 * Fastest of all, `fileCursor` lets the HTTP layer hand the file to the kernel (sendfile).
 */
export class DiskBlobReadStream extends Readable implements DirectWritable {
  private position: number;
  /** One past the last byte to send; undefined: to the end of the file. */
  private readonly stop: number | undefined;

  constructor(
    private readonly fh: FileHandle,
    range?: ByteRange,
  ) {
    super({ highWaterMark: READ_CHUNK });
    this.position = range?.start ?? 0;
    this.stop = range ? range.end + 1 : undefined;
  }

  private wanted(): number {
    return this.stop === undefined ? READ_CHUNK : Math.min(READ_CHUNK, this.stop - this.position);
  }

  override _read(): void {
    const want = this.wanted();
    if (want <= 0) return void this.push(null);
    const buf = Buffer.allocUnsafeSlow(want);
    this.fh.read(buf, 0, want, this.position).then(
      ({ bytesRead }) => {
        if (this.destroyed) return;
        if (bytesRead === 0) return void this.push(null);
        this.position += bytesRead;
        this.push(bytesRead < want ? buf.subarray(0, bytesRead) : buf);
      },
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // A FileHandle closes once its pending reads are done.
    this.fh.close().then(
      () => cb(err),
      (closeErr: Error) => cb(err ?? closeErr),
    );
  }

  /** The open file and the next byte to send (see DirectWritable.fileCursor). */
  fileCursor(): { fd: number; position: number } {
    return { fd: this.fh.fd, position: this.position };
  }

  /**
   * Writes the bytes to `dest` (not ending it), waiting for each write to complete. With
   * `limit`, stops after that many bytes and keeps the file open for the rest; otherwise
   * closes the file at the end. Rejects, having stopped reading and closed the file, when
   * `dest` closes or fails first. Use it instead of the Readable interface, not with it.
   */
  async writeTo(dest: Writable, limit = Infinity): Promise<number> {
    const chunk = Math.min(READ_CHUNK, limit);
    const buffers = [Buffer.allocUnsafeSlow(chunk), Buffer.allocUnsafeSlow(chunk)];
    let written: Promise<void> = Promise.resolve();
    let sent = 0;
    let complete = false;
    try {
      for (let turn = 0; sent < limit; turn ^= 1) {
        const want = Math.min(this.wanted(), limit - sent);
        if (want <= 0) break;
        // The other buffer may still be on its way out; this one was written two turns ago.
        const buf = buffers[turn] as Buffer;
        const { bytesRead } = await this.fh.read(buf, 0, want, this.position);
        if (bytesRead === 0 || this.destroyed) break;
        this.position += bytesRead;
        sent += bytesRead;
        await written;
        written = writeChunk(dest, buf.subarray(0, bytesRead));
        written.catch(() => {}); // awaited next turn; a failure meanwhile is not "unhandled"
      }
      await written;
      complete = true;
      return sent;
    } finally {
      if (!complete || limit === Infinity) this.destroy();
    }
  }
}

/** One write, resolved once `dest` is done with the chunk (so its buffer may be reused). */
function writeChunk(dest: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (dest.destroyed) return reject(new Error('the destination is closed'));
    const onClose = () => reject(new Error('the destination closed'));
    dest.once('close', onClose);
    dest.write(chunk, (err) => {
      dest.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** fsync of a directory; platforms that cannot open one (Windows) skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync().catch(() => {});
  } finally {
    await fh.close();
  }
}
