/**
 * Hashing for resumable uploads. `HashTap` feeds every byte that passes to the hashes it
 * is given (the whole file's running SHA-256, and the chunk's own for Upload-Checksum).
 * `RunningHashes` keeps each upload's running hash between its PATCHes in this process,
 * so a file sent in one go or in order to one node is never read twice; an upload
 * continued elsewhere (another node, after a restart) is hashed from its stored bytes
 * at the end instead.
 */
import type { Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { OffThreadSha256 } from '../../lib/sha256-worker.js';

export class HashTap extends Transform {
  bytes = 0;

  constructor(
    /** The whole file's hash, on the hashing thread (see lib/sha256-worker.ts). */
    private readonly running: OffThreadSha256 | undefined,
    /** The chunk's own, for Upload-Checksum: small, and needed at once, so hashed here. */
    private readonly chunk: Hash | undefined,
    private readonly onBytes: (total: number) => void = () => {},
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.chunk?.update(chunk);
    this.onBytes(this.bytes);
    if (!this.running) return cb(null, chunk);
    this.push(chunk);
    this.running.update(chunk).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.running) return cb();
    this.running.park().then(() => cb(), cb);
  }
}

/** Most running hashes kept; the oldest go first (they are re-read from storage if needed). */
const MAX_KEPT = 1000;

export class RunningHashes {
  private readonly kept = new Map<string, { offset: number; hash: OffThreadSha256 }>();

  /**
   * The hash of the first `offset` bytes of `id`, taken out (or a new one at offset 0);
   * undefined if unknown. Hand it back with `keep`, or `discard` it.
   */
  take(id: string, offset: number): OffThreadSha256 | undefined {
    const e = this.kept.get(id);
    this.kept.delete(id);
    if (e && e.offset === offset) return e.hash;
    e?.hash.discard();
    return offset === 0 ? new OffThreadSha256() : undefined;
  }

  keep(id: string, offset: number, hash: OffThreadSha256): void {
    if (this.kept.size >= MAX_KEPT) {
      const oldest = this.kept.keys().next().value as string;
      this.kept.get(oldest)?.hash.discard();
      this.kept.delete(oldest);
    }
    this.kept.set(id, { offset, hash });
  }

  forget(id: string): void {
    this.kept.get(id)?.hash.discard();
    this.kept.delete(id);
  }
}

/**
 * The SHA-256 of a stored upload read back (continued on another node or after a restart):
 * on the hashing thread too, so a GiB read back does not hold up every other request.
 */
export async function sha256Of(body: Readable): Promise<string> {
  const hash = new OffThreadSha256();
  try {
    for await (const chunk of body) await hash.update(chunk as Buffer);
    return await hash.digest();
  } finally {
    hash.discard();
  }
}
