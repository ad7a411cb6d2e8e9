/**
 * A write stream to a file that is durable when it finishes, and gets there sooner than
 * "write everything, then fsync": every `syncEvery` bytes it starts an fdatasync in the
 * background (one at a time; writes do not wait for it), so the disk writes the file back
 * while the rest still arrives. The fsync at the end then has only the last stretch to
 * flush. With a plain write stream the disk idles while an upload arrives and then flushes
 * the whole file at once, after the last byte and before the answer (bench/README.md).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface SyncedFileWriterOptions {
  /** Bytes written between two background syncs. */
  syncEvery: number;
  /** What the stream buffers before `write` asks its producer to wait. */
  highWaterMark: number;
  /**
   * 'wx' (the default): a new file; a temporary name is never reused, so finding a file
   * there is a bug, not a resume. 'r+': an existing file, written from `start` on.
   */
  flags?: 'wx' | 'r+';
  /** Where the first byte goes (with 'r+'). */
  start?: number;
}

export class SyncedFileWriter extends Writable {
  private fh: FileHandle | undefined;
  private position: number;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  /** A background sync that failed: the next write (or the end) reports it. */
  private syncError: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly options: SyncedFileWriterOptions,
  ) {
    super({ highWaterMark: options.highWaterMark });
    this.position = options.start ?? 0;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, this.options.flags ?? 'wx').then(
      (fh) => {
        this.fh = fh;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      await this.syncing;
      if (this.syncError) throw this.syncError;
      await this.handle().sync();
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return callback(error);
    // Close only once a background sync has let go of the descriptor.
    Promise.resolve(this.syncing)
      .then(() => fh.close())
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  private handle(): FileHandle {
    if (!this.fh) throw new Error('the file is not open');
    return this.fh;
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    if (this.syncError) throw this.syncError;
    const fh = this.handle();
    let pending = buffers;
    while (pending.length > 0) {
      const { bytesWritten } = await fh.writev(pending, this.position);
      this.position += bytesWritten;
      this.unsynced += bytesWritten;
      pending = remainder(pending, bytesWritten);
    }
    if (this.unsynced >= this.options.syncEvery && !this.syncing) this.startSync(fh);
  }

  private startSync(fh: FileHandle): void {
    this.unsynced = 0;
    this.syncing = fh.datasync().then(
      () => {
        this.syncing = undefined;
      },
      (err: Error) => {
        this.syncing = undefined;
        this.syncError = err;
      },
    );
  }
}

/** What is left of `buffers` once their first `written` bytes are on disk (a short writev). */
function remainder(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}
