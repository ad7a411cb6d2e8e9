/**
 * The Node side of the SDK: files by path, downloads to a path (resumed with Range,
 * checked against the ETag's SHA-256) or to any writable stream. Browsers import the
 * main entry only.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { SendbayClient } from './client.js';
import { resolveDownload, type DownloadTarget } from './download.js';
import { nodeHttpDownload } from './node-http.js';
import { DownloadSink } from './node-download-sink.js';
import { SendbayTransferError } from './errors.js';
import { ProgressMeter, type TransferProgress } from './upload/progress.js';
import type { UploadFile } from './upload/source.js';

/** Read size for files: large reads keep the CPU cost per byte low. */
const READ_CHUNK = 1024 * 1024;

/** A file on disk as an upload source (read when sent, never held in memory). */
export async function fileFromPath(path: string, opts: { name?: string; description?: string } = {}): Promise<UploadFile> {
  const st = await stat(path);
  if (!st.isFile()) throw new SendbayTransferError(`${path} is not a file`, 'upload');
  return {
    name: opts.name ?? basename(path),
    size: st.size,
    description: opts.description,
    body: {
      [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: READ_CHUNK })[Symbol.asyncIterator](),
    },
    readFrom: (offset) => createReadStream(path, { start: offset, highWaterMark: READ_CHUNK }),
  };
}

export interface DownloadOptions {
  password?: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /**
   * Checks the bytes against the ETag's SHA-256 when it is one (default true). False skips
   * hashing altogether, which on a slow CPU is most of a download's cost.
   */
  verify?: boolean;
}

export type { DownloadTarget };

export interface DownloadResult {
  name: string;
  bytes: number;
  /** Bytes that were already there and not fetched again. */
  resumedFrom: number;
  /** The SHA-256 of the whole file, undefined when `verify` was false. */
  sha256: string | undefined;
  /** True when the ETag named a SHA-256 and it matched. */
  verified: boolean;
}

/** An id or link is resolved to its direct link; a target from resolveDownload is used as it is. */
function targetOf(client: SendbayClient, what: string | DownloadTarget, o: DownloadOptions): Promise<DownloadTarget> {
  return typeof what === 'string' ? resolveDownload(client, what, { password: o.password, signal: o.signal }) : Promise.resolve(what);
}

/** Hands every chunk to the sink (and `out`, when the caller writes), waiting when either is full. */
async function pump(body: Readable, sink: DownloadSink, onBytes: (n: number) => void, out?: Writable): Promise<void> {
  for await (const chunk of body) {
    const value = chunk as Buffer;
    onBytes(value.length);
    const full = sink.write(value);
    if (full) await full;
    if (out && !out.write(value)) await once(out, 'drain');
  }
}

function check(
  target: DownloadTarget,
  sha: string,
  expected: string | undefined,
  bytes: number,
  size: number | undefined,
  verify: boolean,
): boolean {
  if (size !== undefined && bytes !== size)
    throw new SendbayTransferError(`${target.name}: got ${bytes} bytes, expected ${size}`, 'download');
  if (!verify || !expected) return false;
  if (sha !== expected)
    throw new SendbayTransferError(`${target.name}: SHA-256 ${sha} does not match the server's ${expected}`, 'checksum');
  return true;
}

/**
 * Downloads to `path`. A shorter file already at `path` is taken as an earlier, cut
 * download: only the rest is fetched (Range) and the whole is checked.
 */
export async function downloadToFile(
  client: SendbayClient,
  what: string | DownloadTarget,
  path: string,
  o: DownloadOptions = {},
): Promise<DownloadResult> {
  const target = await targetOf(client, what, o);
  const have = await stat(path).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
  const offset = target.size !== undefined && have >= target.size ? (have === target.size ? have : 0) : have;
  const dl = await nodeHttpDownload(target.url, { offset, signal: o.signal });
  const size = dl.size ?? target.size;
  const start = dl.start;
  const meter = new ProgressMeter([size !== undefined ? size - start : undefined]);
  // Write to a side file when starting over so a failed restart never eats a good prefix.
  const fresh = start === 0 && have > 0;
  const writePath = fresh ? `${path}.sbay-part` : path;
  let sink: DownloadSink;
  try {
    sink = await DownloadSink.open({ path: writePath, flags: start > 0 ? 'r+' : 'w', start, hash: o.verify !== false });
  } catch (err) {
    dl.body.destroy();
    throw new SendbayTransferError(`${writePath}: ${(err as Error).message}`, 'download');
  }
  let sha: string;
  try {
    await pump(dl.body, sink, (n) => {
      const p = meter.add(0, n);
      o.onProgress?.(p);
    });
    sha = await sink.finish();
  } catch (err) {
    dl.body.destroy();
    // What arrived before the cut is kept (written out and closed): the next run resumes from it.
    await sink.finish().catch(() => sink.close());
    if (fresh) await rm(writePath, { force: true });
    throw err;
  }
  if (fresh) await rename(writePath, path);
  const bytes = start + meter.bytes;
  const verified = check(target, sha, dl.sha256, bytes, size, o.verify !== false);
  // A file that was longer than what the server has is cut back to it.
  if (size !== undefined) {
    const fh = await open(path, 'r+');
    await fh.truncate(size).finally(() => fh.close());
  }
  return { name: target.name, bytes, resumedFrom: start, sha256: sha || undefined, verified };
}

/** Downloads to a writable stream (stdout, a socket); no resume. */
export async function downloadToStream(
  client: SendbayClient,
  what: string | DownloadTarget,
  out: Writable,
  o: DownloadOptions = {},
): Promise<DownloadResult> {
  const target = await targetOf(client, what, o);
  const dl = await nodeHttpDownload(target.url, { signal: o.signal });
  const size = dl.size ?? target.size;
  const meter = new ProgressMeter([size]);
  const sink = await DownloadSink.open({ hash: o.verify !== false });
  let sha: string;
  try {
    await pump(
      dl.body,
      sink,
      (n) => {
        const p = meter.add(0, n);
        o.onProgress?.(p);
      },
      out,
    );
    sha = await sink.finish();
  } catch (err) {
    dl.body.destroy();
    await sink.close();
    throw err;
  }
  const verified = check(target, sha, dl.sha256, meter.bytes, size, o.verify !== false);
  return { name: target.name, bytes: meter.bytes, resumedFrom: 0, sha256: sha || undefined, verified };
}

export { nodeHttpTransport } from './node-http.js';
export { nodeTusHttp } from './node-tus-http.js';
