/**
 * Cuts a stream of bytes into files of exactly `partSize` bytes under a folder, for the
 * S3 stores (uploads and resumable uploads): each full file is handed to `onFull` (which uploads it as a part,
 * or keeps it for later), and the last, shorter one stays open as the tail. Bytes go
 * straight from the socket to the file, so memory holds one chunk whatever the size.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomKey } from '../lib/crypto.js';

export interface SpoolFile {
  path: string;
  size: number;
}

export class PartSpool {
  private fh: FileHandle | undefined;
  private file: SpoolFile;

  /**
   * Continues `first` (the upload's tail so far, already on disk, `first.size` bytes
   * long) when given, else starts an empty file.
   */
  constructor(
    private readonly dir: string,
    private readonly id: string,
    private readonly partSize: number,
    private readonly onFull: (file: SpoolFile) => Promise<void>,
    first?: SpoolFile,
  ) {
    this.file = first ?? { path: this.newPath(), size: 0 };
  }

  /** A working file name of this upload (the store removes them all with the upload). */
  newPath(): string {
    return join(this.dir, `${this.id}.w${randomKey(12).toLowerCase()}`);
  }

  async write(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      // A tail from before a smaller part size was configured may already be full.
      if (this.file.size >= this.partSize) await this.handOff();
      this.fh ??= await open(this.file.path, this.file.size === 0 ? 'w' : 'r+');
      const n = Math.min(this.partSize - this.file.size, chunk.length - at);
      await this.fh.write(chunk, at, n, this.file.size);
      this.file.size += n;
      at += n;
      if (this.file.size >= this.partSize) await this.handOff();
    }
  }

  /**
   * Writes all of `body` in. A failure of the body (the client left, a limit broke, an
   * abort) ends the filling and is answered, what arrived kept; a failure of the spool
   * itself (the disk, a part upload) rejects.
   */
  async fill(body: AsyncIterable<Buffer>): Promise<{ received: number; bodyError?: unknown }> {
    const chunks = body[Symbol.asyncIterator]();
    let received = 0;
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (bodyError) {
        return { received, bodyError };
      }
      if (next.done) return { received };
      await this.write(next.value);
      received += next.value.length;
    }
  }

  /** Closes the open file; the tail (bytes past the last full part) is returned. */
  async end(): Promise<SpoolFile> {
    await this.closeFile();
    return this.file;
  }

  private async handOff(): Promise<void> {
    await this.closeFile();
    const full = this.file;
    this.file = { path: this.newPath(), size: 0 };
    await this.onFull(full);
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}
