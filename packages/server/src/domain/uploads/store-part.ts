/**
 * Step 2 of every upload: one file's bytes to the blob store under a new key, through
 *   byte limiter -> meter (size, SHA-256) -> throttle (speed_limit) -> blobs.put(key).
 * Nothing here knows forms or HTTP: a front door hands over a stream and the limits its
 * grant allows, and gets back what the commit step needs.
 */
import { pipeline, type Readable } from 'node:stream';
import type { BlobStore } from '../../blobs/blob-store.js';
import { ByteLimiter } from '../../lib/byte-limiter.js';
import { randomKey } from '../../lib/crypto.js';
import { Meter } from '../../lib/meter.js';
import { Throttle } from '../../lib/throttle.js';
import type { PartLimit } from './upload-authorize.js';
import { UploadRefused } from './upload-errors.js';

/** A blob written by an upload and not committed yet. */
export interface StoredBlob {
  key: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface StorePartOptions {
  limit: PartLimit;
  /** KB per second; 0 for no limit. */
  speedLimitKb: number;
  signal?: AbortSignal;
}

const noop = () => {};

/** A new, unguessable blob key. Register it as in flight before the first byte is written. */
export function newBlobKey(): string {
  return randomKey(32);
}

/**
 * Writes `stream` at `key`. Rejects with UploadRefused when the stream is longer than the
 * limit, and with the store's error otherwise; the store leaves nothing at `key` then.
 */
export async function storePart(blobs: BlobStore, key: string, stream: Readable, opts: StorePartOptions): Promise<StoredBlob> {
  const limiter = new ByteLimiter(opts.limit.bytes);
  const meter = new Meter({ sha256: true });
  const stages: NodeJS.ReadWriteStream[] = [limiter, meter];
  if (opts.speedLimitKb > 0) stages.push(new Throttle(opts.speedLimitKb * 1024));
  // pipeline() destroys every stage when one fails, so put() sees the failure too.
  const body = pipeline([stream, ...stages], noop) as unknown as Readable;
  try {
    await blobs.put(key, body, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    if (limiter.exceeded)
      throw new UploadRefused(
        opts.limit.disk ? 'Not enough disk space left for this upload' : `The file is larger than the limit of ${opts.limit.bytes} bytes`,
      );
    // The store itself is full: nothing the client did, and worth saying so.
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new UploadRefused('The server has no storage space left; please try again later');
    throw err;
  }
  return { key, size: meter.bytes, sha256: meter.sha256Hex() };
}
