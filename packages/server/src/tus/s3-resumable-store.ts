/**
 * Resumable uploads on S3 with no reassembly: the bytes become the parts of a multipart
 * upload at the final blob key, and `finish` is CompleteMultipartUpload. S3 refuses
 * parts under 5 MiB (but the last), and clients send smaller PATCHes (5 000 000 bytes for
 * PsiTransfer, tus-js-client's chunkSize), so bytes are gathered in files under
 * `<data folder>/tus` — never in memory — until a part is full.
 *
 * An acknowledged PATCH must survive this node: at its end, the tail (bytes past the
 * last full part) is written as one small object `tus/<id>/<tag>`, and the state (upload
 * id, parts, tail) goes to the database with the offset (see resumable-store.ts). The
 * local copy of the tail is kept as `<id>.t<tag>`, so the same node continues without
 * fetching it; any other node fetches it once. The tag changes with every tail, so a
 * local copy is only ever used for the tail it was made from.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomKey } from '../lib/crypto.js';
import { PartSpool, type SpoolFile } from '../blobs/part-spool.js';
import { fileBody, PartUploads } from '../blobs/part-uploads.js';
import type { AppendOptions, AppendResult, ResumableStore, StoredUpload } from './resumable-store.js';
import { parseState, stateSize, type S3Part, type S3UploadState } from './s3-upload-state.js';

const ID_RE = /^[a-z0-9]{16,64}$/;
const LOCAL_RE = /^([a-z0-9]{16,64})(\.[tw][a-z0-9]+)?$/;
const TAIL_PREFIX = 'tus/';

export interface S3ResumableStoreOptions {
  bucket: string;
  /** The blob store's key prefix: the finished upload must be where it reads blobs. */
  blobPrefix: string;
  /** Bytes per part (the S3 settings' part size, at least 5 MiB). */
  partSize: number;
  /** Parts uploading at once while more bytes arrive. */
  queueSize: number;
  /** Where tails gather and are cached: `<data folder>/tus`. */
  dir: string;
}

export class S3ResumableStore implements ResumableStore {
  constructor(
    private readonly client: S3Client,
    private readonly o: S3ResumableStoreOptions,
  ) {}

  async create({ id }: StoredUpload): Promise<void> {
    checkId(id);
    // The multipart upload is opened with the first full part: a small file never needs one.
    await mkdir(this.o.dir, { recursive: true });
  }

  async append(up: StoredUpload, offset: number, body: Readable, opts: AppendOptions = {}): Promise<AppendResult> {
    checkId(up.id);
    const before = parseState(up.state);
    if (stateSize(before) !== offset) throw new Error(`the stored parts end at ${stateSize(before)}, not at offset ${offset}`);
    await mkdir(this.o.dir, { recursive: true });
    // Tails a recorded state replaced are not needed by anyone now.
    for (const tag of before.stale) await this.deleteObject(this.tailKey(up.id, tag)).catch(() => {});
    const state: S3UploadState = { ...before, parts: [...before.parts], stale: [] };

    const uploads = new PartUploads(this.o.queueSize);
    const held: SpoolFile[] = [];
    const startPart = async (file: SpoolFile) => {
      state.uploadId ??= await this.openMultipart(up.blobKey);
      const n = state.parts.length + 1;
      // Numbered now, in order; a failed upload fails the whole append.
      state.parts.push({ n, etag: '', size: file.size });
      const part = state.parts[state.parts.length - 1] as S3Part;
      await uploads.add(async () => {
        part.etag = await this.uploadPart(up.blobKey, state.uploadId as string, n, fileBody(file), file.size);
        await rm(file.path, { force: true });
      });
    };
    const spool = new PartSpool(
      this.o.dir,
      up.id,
      this.o.partSize,
      opts.whole ? async (f) => void held.push(f) : startPart,
      await this.openTail(up.id, before),
    );

    try {
      // A body failure still counts what arrived; a failure of the spool (the store's own) counts nothing.
      const { received, bodyError } = await spool.fill(body as AsyncIterable<Buffer>);
      const tail = await spool.end();
      if (opts.whole && (bodyError !== undefined || !opts.whole())) {
        // Back to the tail as it was (its file is the first of this append's), kept as the local copy.
        const first = held[0] ?? tail;
        if (before.tail) await truncate(first.path, before.tail.size);
        await this.keepAsCache(up.id, { path: first.path, size: before.tail?.size ?? 0 }, before.tail?.tag);
        return { written: 0, state: up.state, ...(bodyError === undefined ? { rejected: true } : { error: bodyError }) };
      }
      for (const f of held) await startPart(f);
      await uploads.done();
      if (received === 0) {
        await this.keepAsCache(up.id, tail, before.tail?.tag);
        return { written: 0, state: up.state, ...(bodyError === undefined ? {} : { error: bodyError }) };
      }
      if (tail.size > 0) {
        const tag = randomKey(16).toLowerCase();
        await this.putObject(this.tailKey(up.id, tag), fileBody(tail), tail.size);
        await this.keepAsCache(up.id, tail, tag);
        state.tail = { tag, size: tail.size };
      } else {
        state.tail = null;
      }
      if (before.tail && before.tail.tag !== state.tail?.tag) state.stale = [before.tail.tag];
      return { written: stateSize(state) - offset, state: JSON.stringify(state), ...(bodyError === undefined ? {} : { error: bodyError }) };
    } catch (err) {
      body.destroy();
      await spool.end().catch(() => {});
      await uploads.done().catch(() => {});
      await this.dropWorkingFiles(up.id);
      return { written: 0, state: up.state, error: err };
    }
  }

  async truncate(up: StoredUpload): Promise<void> {
    // Nothing to undo: the state of the refused append is not recorded, so the next one
    // starts from the recorded parts and tail (parts past them are overwritten or left
    // out of the completed object).
    checkId(up.id);
  }

  async finish(up: StoredUpload): Promise<void> {
    checkId(up.id);
    const s = parseState(up.state);
    const key = this.o.blobPrefix + up.blobKey;
    const tailBody = async () => (s.tail ? this.tailBody(up.id, s.tail) : { body: Readable.from([]), size: 0 });
    if (s.uploadId === null) {
      // Under one part in all: a plain object.
      const { body, size } = await tailBody();
      await this.putObject(key, body, size);
    } else {
      const parts = s.parts.map((p) => ({ PartNumber: p.n, ETag: p.etag }));
      if (s.tail) {
        const { body, size } = await tailBody();
        const n = s.parts.length + 1;
        parts.push({ PartNumber: n, ETag: await this.uploadPart(up.blobKey, s.uploadId, n, body, size) });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.o.bucket, Key: key, UploadId: s.uploadId, MultipartUpload: { Parts: parts } }),
      );
    }
    await this.remove(up.id, up.blobKey);
  }

  async remove(id: string, blobKey: string | null): Promise<void> {
    checkId(id);
    if (blobKey !== null) await this.abortMultipart(this.o.blobPrefix + blobKey);
    for await (const keys of this.tailObjects(`${TAIL_PREFIX}${id}/`)) for (const k of keys) await this.deleteObject(k.key);
    await this.dropLocal(id, () => true);
  }

  async *list(): AsyncIterable<{ id: string; modifiedAt: number }[]> {
    const seen = new Map<string, number>();
    for (const name of await readdir(this.o.dir).catch(() => [] as string[])) {
      const m = LOCAL_RE.exec(name);
      const s = m ? await stat(join(this.o.dir, name)).catch(() => null) : null;
      if (m && s) seen.set(m[1] as string, Math.max(seen.get(m[1] as string) ?? 0, Math.floor(s.mtimeMs / 1000)));
    }
    for await (const batch of this.tailObjects(TAIL_PREFIX)) {
      for (const o of batch) {
        const id = o.key.slice(TAIL_PREFIX.length).split('/')[0] ?? '';
        if (ID_RE.test(id)) seen.set(id, Math.max(seen.get(id) ?? 0, o.modifiedAt));
      }
    }
    const all = [...seen].map(([id, modifiedAt]) => ({ id, modifiedAt }));
    for (let i = 0; i < all.length; i += 500) yield all.slice(i, i + 500);
  }

  /** The upload's tail as a working file to append to: the local copy when it is that tail's, else fetched. */
  private async openTail(id: string, s: S3UploadState): Promise<SpoolFile | undefined> {
    await this.dropLocal(id, (suffix) => suffix.startsWith('.w'));
    if (!s.tail) return undefined;
    const path = join(this.o.dir, `${id}.w${randomKey(12).toLowerCase()}`);
    const cached = this.cachePath(id, s.tail.tag);
    const size = (await stat(cached).catch(() => null))?.size ?? -1;
    if (size >= s.tail.size) {
      await rename(cached, path);
      // Bytes past the tail are a failed append's, never acknowledged.
      await truncate(path, s.tail.size);
    } else {
      await this.dropLocal(id, () => true);
      await pipeline(await this.getObject(this.tailKey(id, s.tail.tag)), createWriteStream(path));
      if ((await stat(path)).size !== s.tail.size) throw new Error('the stored tail of this upload has the wrong size');
    }
    return { path, size: s.tail.size };
  }

  private async tailBody(id: string, tail: { tag: string; size: number }): Promise<{ body: Readable; size: number }> {
    const cached = this.cachePath(id, tail.tag);
    if (((await stat(cached).catch(() => null))?.size ?? -1) >= tail.size)
      return { body: tail.size === 0 ? Readable.from([]) : createReadStream(cached, { start: 0, end: tail.size - 1 }), size: tail.size };
    return { body: await this.getObject(this.tailKey(id, tail.tag)), size: tail.size };
  }

  /** Keeps `file` as the local copy of tail `tag` (or drops it when there is none). */
  private async keepAsCache(id: string, file: SpoolFile, tag: string | undefined): Promise<void> {
    if (tag !== undefined && file.size > 0) await rename(file.path, this.cachePath(id, tag));
    await this.dropWorkingFiles(id);
  }

  private dropWorkingFiles(id: string): Promise<void> {
    return this.dropLocal(id, (suffix) => suffix.startsWith('.w'));
  }

  private async dropLocal(id: string, which: (suffix: string) => boolean): Promise<void> {
    for (const name of await readdir(this.o.dir).catch(() => [] as string[])) {
      const m = LOCAL_RE.exec(name);
      if (m && m[1] === id && which(m[2] ?? '')) await rm(join(this.o.dir, name), { force: true });
    }
  }

  private cachePath(id: string, tag: string): string {
    return join(this.o.dir, `${id}.t${tag}`);
  }

  private tailKey(id: string, tag: string): string {
    return `${TAIL_PREFIX}${id}/${tag}`;
  }

  private async openMultipart(blobKey: string): Promise<string> {
    const r = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.o.bucket, Key: this.o.blobPrefix + blobKey }));
    if (!r.UploadId) throw new Error('the storage opened a multipart upload without an id');
    return r.UploadId;
  }

  private async uploadPart(blobKey: string, uploadId: string, n: number, body: Readable, size: number): Promise<string> {
    const r = await this.client.send(
      new UploadPartCommand({
        Bucket: this.o.bucket,
        Key: this.o.blobPrefix + blobKey,
        UploadId: uploadId,
        PartNumber: n,
        Body: body,
        ContentLength: size,
      }),
    );
    if (!r.ETag) throw new Error('the storage stored a part without an ETag');
    return r.ETag;
  }

  /** Aborts every multipart upload open at `key` (a failed append may have opened one the state never recorded). */
  private async abortMultipart(key: string): Promise<void> {
    const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.o.bucket, Prefix: key }));
    for (const u of r.Uploads ?? [])
      if (u.Key === key && u.UploadId)
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: key, UploadId: u.UploadId }));
  }

  private async putObject(key: string, body: Readable, size: number): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: key, Body: body, ContentLength: size }));
  }

  private async getObject(key: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
    if (!(r.Body instanceof Readable)) throw new Error('the S3 client answered a body that is not a stream');
    return r.Body;
  }

  private async deleteObject(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key }));
  }

  private async *tailObjects(prefix: string): AsyncIterable<{ key: string; modifiedAt: number }[]> {
    let ContinuationToken: string | undefined;
    do {
      const r = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }),
      );
      const batch = (r.Contents ?? []).map((o) => ({
        key: o.Key ?? '',
        modifiedAt: Math.floor((o.LastModified?.getTime() ?? Date.now()) / 1000),
      }));
      if (batch.length > 0) yield batch;
      ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}

function checkId(id: string): void {
  if (!ID_RE.test(id)) throw new Error('invalid upload id');
}
