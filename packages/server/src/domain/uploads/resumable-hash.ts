/**
 * Hashing for resumable uploads. `HashTap` feeds every byte that passes to the hashes it
 * is given (the whole file's running SHA-256, and the chunk's own for Upload-Checksum).
 * `RunningHashes` keeps each upload's running hash between its PATCHes in this process,
 * so a file sent in one go or in order to one node is never read twice; an upload
 * continued elsewhere (another node, after a restart) is hashed from its stored bytes
 * at the end instead.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export class HashTap extends Transform {
  bytes = 0;

  constructor(
    private readonly hashes: (Hash | undefined)[],
    private readonly onBytes: (total: number) => void = () => {},
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    for (const h of this.hashes) h?.update(chunk);
    this.onBytes(this.bytes);
    cb(null, chunk);
  }
}

/** Most running hashes kept; the oldest go first (they are re-read from storage if needed). */
const MAX_KEPT = 1000;

export class RunningHashes {
  private readonly kept = new Map<string, { offset: number; hash: Hash }>();

  /** The hash of the first `offset` bytes of `id`, taken out (or a new one at offset 0); undefined if unknown. */
  take(id: string, offset: number): Hash | undefined {
    const e = this.kept.get(id);
    this.kept.delete(id);
    if (e && e.offset === offset) return e.hash;
    return offset === 0 ? createHash('sha256') : undefined;
  }

  keep(id: string, offset: number, hash: Hash): void {
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string);
    this.kept.set(id, { offset, hash });
  }

  forget(id: string): void {
    this.kept.delete(id);
  }
}

export async function sha256Of(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
