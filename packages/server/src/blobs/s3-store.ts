/**
 * Blobs as objects `<prefix><key>` in one S3 bucket. A put cuts the body into parts of
 * `partSize` spooled on local disk (S3 needs each part's length before it is sent, and
 * every part but the last to be 5 MiB or more): a full part is sent from its file while
 * the next one fills, `queueSize` of them in flight, so memory holds a few chunks per
 * upload whatever the file size, and a body shorter than one part is one PutObject. On
 * any failure the multipart upload is aborted before the put rejects, so nothing stays at
 * the key or open in the bucket; the spooled files go with the put. What a crash leaves
 * open is aborted by `removeStaleTemporaries` (the sweeper), what it leaves spooled by the
 * next process on that folder as it starts (`prepare`). Reads are ranged GetObjects streamed back.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { BlobStoreUnavailable, type BlobStore, type ByteRange } from './blob-store.js';
import { PartSpool, type SpoolFile } from './part-spool.js';
import { fileBody, PartUploads } from './part-uploads.js';
import { SpoolFolder } from './spool-folder.js';

const KEY_RE = /^[A-Za-z0-9_-]{8,128}$/;
/** Where blobs live in the bucket unless told otherwise (resumable uploads complete there too). */
export const S3_BLOB_PREFIX = 'blobs/';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key: the store owns only what is under it. */
  prefix?: string;
  partSize: number;
  queueSize: number;
  /** Where parts are spooled while they are sent (default: under the system's temporary folder). */
  spoolDir?: string;
}

export class S3BlobStore implements BlobStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly spool: SpoolFolder;

  constructor(
    readonly client: S3Client,
    private readonly opts: S3BlobStoreOptions,
  ) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? S3_BLOB_PREFIX;
    this.spool = new SpoolFolder(opts.spoolDir);
  }

  /**
   * Makes this process's spool folder, removing what processes that are gone left there
   * (a node killed mid-upload): called once at start-up, before the first put.
   */
  async prepare(): Promise<void> {
    await this.spool.ready();
  }

  private objectKey(key: string): string {
    if (!KEY_RE.test(key)) throw new Error('invalid blob key');
    return this.prefix + key;
  }

  async put(key: string, body: Readable, opts: { signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const Key = this.objectKey(key);
    const dir = await this.spool.ready();
    const id = `put-${key}`;
    const parts: { PartNumber: number; ETag: string }[] = [];
    const sending = new PartUploads(this.opts.queueSize);
    let uploadId: string | undefined;
    const send = async (file: SpoolFile) => {
      uploadId ??= await this.openMultipart(Key);
      const part = { PartNumber: parts.length + 1, ETag: '' };
      parts.push(part);
      await sending.add(async () => {
        part.ETag = await this.uploadPart(Key, uploadId as string, part.PartNumber, file);
        await this.spool.remove(file.path);
      });
    };
    const spool = new PartSpool(dir, id, this.opts.partSize, send);
    let sourceFailure: unknown;
    const onAbort = () => {
      const err = new Error('the upload was aborted');
      err.name = 'AbortError';
      body.destroy(err);
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { received: size, bodyError } = await spool.fill(body as AsyncIterable<Buffer>);
      // The client left, a limit broke or the upload was aborted: not the storage's fault.
      if (bodyError !== undefined) {
        sourceFailure = bodyError;
        throw bodyError;
      }
      const tail = await spool.end();
      if (uploadId === undefined) {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: fileBody(tail), ContentLength: tail.size }));
      } else {
        if (tail.size > 0) await send(tail);
        await sending.done();
        await this.client.send(
          new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
      }
      return { size };
    } catch (err) {
      body.destroy();
      await spool.end().catch(() => {});
      await sending.done().catch(() => {});
      if (uploadId !== undefined)
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })).catch(() => {}); // what stays open, the sweeper aborts
      throw sourceFailure ?? describe(err, 'storing the file');
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      await this.spool.removeAll(id);
    }
  }

  private async openMultipart(Key: string): Promise<string> {
    const r = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    if (!r.UploadId) throw new Error('the storage opened a multipart upload without an id');
    return r.UploadId;
  }

  private async uploadPart(Key: string, UploadId: string, PartNumber: number, file: SpoolFile): Promise<string> {
    const r = await this.client.send(
      new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body: fileBody(file), ContentLength: file.size }),
    );
    if (!r.ETag) throw new Error('the storage stored a part without an ETag');
    return r.ETag;
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
