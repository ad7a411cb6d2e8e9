/**
 * Blobs as objects `<prefix><key>` in one S3 bucket. A put streams the body through
 * lib-storage's multipart upload (parts of `partSize`, `queueSize` of them in flight, so
 * memory is bounded whatever the file size); on any failure the multipart upload is
 * aborted before the put rejects, so nothing stays at the key or open in the bucket. What
 * a crash leaves open is aborted by `removeStaleTemporaries` (the sweeper). Reads are
 * ranged GetObjects streamed back.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { PassThrough, Readable } from 'node:stream';
import { BlobStoreUnavailable, type BlobStore, type ByteRange } from './blob-store.js';

const KEY_RE = /^[A-Za-z0-9_-]{8,128}$/;
/** Where blobs live in the bucket unless told otherwise (resumable uploads complete there too). */
export const S3_BLOB_PREFIX = 'blobs/';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key: the store owns only what is under it. */
  prefix?: string;
  partSize: number;
  queueSize: number;
}

export class S3BlobStore implements BlobStore {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    readonly client: S3Client,
    private readonly opts: S3BlobStoreOptions,
  ) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? S3_BLOB_PREFIX;
  }

  private objectKey(key: string): string {
    if (!KEY_RE.test(key)) throw new Error('invalid blob key');
    return this.prefix + key;
  }

  async put(key: string, body: Readable, opts: { signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const Key = this.objectKey(key);
    let size = 0;
    let sourceFailure: Error | undefined;
    // Counted on the way, and the stream the upload reads: destroying it (abort) fails
    // the upload from inside, which makes lib-storage abort the multipart upload first.
    const counted = new PassThrough({ highWaterMark: 64 * 1024 });
    counted.on('data', (c: Buffer) => {
      size += c.length;
    });
    counted.pause();
    body.on('error', (err) => {
      sourceFailure ??= err;
      counted.destroy(err);
    });
    body.pipe(counted);
    const onAbort = () => {
      const err = new Error('the upload was aborted');
      err.name = 'AbortError';
      sourceFailure ??= err;
      body.unpipe(counted);
      counted.destroy(err);
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: counted },
      partSize: this.opts.partSize,
      queueSize: this.opts.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return { size };
    } catch (err) {
      body.unpipe(counted);
      counted.destroy();
      // A body that failed (the client left, the upload was aborted) is not the storage's fault.
      throw sourceFailure ?? describe(err, 'storing the file');
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!(res.Body instanceof Readable)) throw new Error('the S3 client answered a body that is not a stream');
      return res.Body;
    } catch (err) {
      if (status(err) === 404) throw new Error('no blob at this key', { cause: err });
      throw describe(err, 'reading the file');
    }
  }

  async stat(key: string): Promise<{ size: number; modifiedAt: number } | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: res.ContentLength ?? 0, modifiedAt: Math.floor((res.LastModified?.getTime() ?? Date.now()) / 1000) };
    } catch (err) {
      if (status(err) === 404) return null;
      throw describe(err, 'looking up the file');
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      if (status(err) !== 404) throw describe(err, 'deleting the file');
    }
  }

  async *list(): AsyncIterable<string[]> {
    let ContinuationToken: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }),
      );
      const keys = (res.Contents ?? []).map((o) => (o.Key ?? '').slice(this.prefix.length)).filter((k) => KEY_RE.test(k));
      if (keys.length > 0) yield keys;
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /**
   * Aborts the multipart uploads under the prefix started more than `olderThanSeconds`
   * ago (what a crash mid-upload leaves), except those of keys `keep` accepts.
   */
  async removeStaleTemporaries(
    olderThanSeconds: number,
    keep: (key: string) => boolean = () => false,
    nowMs = Date.now(),
  ): Promise<number> {
    let removed = 0;
    for await (const upload of this.openUploads()) {
      const key = upload.key.slice(this.prefix.length);
      if (keep(key) || nowMs - upload.initiated.getTime() <= olderThanSeconds * 1000) continue;
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.key, UploadId: upload.uploadId }));
      removed++;
    }
    return removed;
  }

  /** Every multipart upload open under the prefix. */
  async *openUploads(): AsyncIterable<{ key: string; uploadId: string; initiated: Date }> {
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      const res = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: this.prefix,
          ...(KeyMarker ? { KeyMarker } : {}),
          ...(UploadIdMarker ? { UploadIdMarker } : {}),
        }),
      );
      for (const u of res.Uploads ?? [])
        if (u.Key && u.UploadId) yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) };
      if (!res.IsTruncated) return;
      KeyMarker = res.NextKeyMarker;
      UploadIdMarker = res.NextUploadIdMarker;
      if (!KeyMarker && !UploadIdMarker) return;
    }
  }

  /** A short-lived URL that serves the blob itself, as an attachment named `filename`. */
  async presignedUrl(key: string, opts: { contentDisposition: string; expiresInSeconds: number }): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ResponseContentDisposition: opts.contentDisposition,
        ResponseContentType: 'application/octet-stream',
      }),
      { expiresIn: opts.expiresInSeconds },
    );
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw describe(err, `reaching the bucket ${this.bucket}`);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** The engine's failure as one sentence: what was being done, and what went wrong. */
function describe(err: unknown, doing: string): Error {
  if (err instanceof BlobStoreUnavailable) return err;
  const e = err as Error & { code?: string };
  if (e.name === 'AbortError') return err as Error;
  const code = status(err);
  const what = code !== undefined ? `the storage answered HTTP ${code} (${e.name})` : (e.code ?? e.message ?? String(err));
  return new BlobStoreUnavailable(`S3 storage failed ${doing}: ${what}`, { cause: err });
}
