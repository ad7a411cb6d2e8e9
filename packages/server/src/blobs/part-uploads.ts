/**
 * Sending the parts of an S3 multipart upload from spooled files: at most `limit` at once,
 * each read from its file as it is sent (with its length declared, as UploadPart needs).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { SpoolFile } from './part-spool.js';

/** At most `limit` part uploads at once; `add` waits for room, `done` for all (and rejects if one failed). */
export class PartUploads {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly limit: number) {}

  async add(upload: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure !== undefined) throw this.failure;
    const p: Promise<void> = upload()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure !== undefined) throw this.failure;
  }
}

export function fileBody(file: SpoolFile): Readable {
  return file.size === 0 ? Readable.from([]) : createReadStream(file.path, { start: 0, end: file.size - 1, highWaterMark: 1024 * 1024 });
}
