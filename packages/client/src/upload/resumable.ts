/**
 * A resumable upload of one file over tus 1.0.0 (Sendbay's `/tus/`, see docs/tus.md):
 * create the upload with the ticket in `Upload-Metadata`, PATCH the bytes in chunks,
 * and after a cut connection or a server hiccup ask (HEAD) how far the server got and
 * send the rest, with backoff. Given the `uploadUrl` of an earlier run it continues
 * that upload instead of starting again. The last PATCH (or a HEAD once finished)
 * names the new file in `Sendbay-File-Id` and `Sendbay-Download-Url`.
 */
import type { SendbayClient } from '../client.js';
import { SendbayNetworkError, SendbayTransferError } from '../errors.js';
import { sleep } from '../rest.js';
import { ProgressMeter, type TransferProgress } from './progress.js';
import { chunksFrom, sizeOf, type UploadFile } from './source.js';
import type { UploadOptions } from './upload.js';
import { fetchTusHttp, uploadMetadata, type TusAnswer, type TusBody, type TusHttp } from './tus-http.js';

/** The upload form's options a tus upload carries in its metadata (see UploadOptions). */
type FormOptions = Pick<UploadOptions, 'folderId' | 'password' | 'recipients' | 'message' | 'notifyUploader' | 'speedLimit'>;

export interface ResumableUploadOptions extends FormOptions {
  /** Ticket from anonymous.uploadGetInfo instead of upload.getInfo (tus gives no delete link). */
  anonymous?: boolean;
  /** The tus endpoint (default: `tus/` under the client's base URL). */
  endpoint?: string;
  /** Continue this upload (the URL `onUploadUrl` gave an earlier run). */
  uploadUrl?: string;
  /** Told the upload's URL as soon as it exists (awaited before the first byte): keep it to continue after a crash. */
  onUploadUrl?: (url: string) => void | Promise<void>;
  /**
   * Bytes per PATCH (default 32 MiB); each acknowledged PATCH is durable on the server.
   * A PATCH refused with 413 by something in front of the server (a proxy's cap on
   * request bodies: the answer has no Tus-Resumable header) is sent again in halves,
   * down to 1 MiB.
   */
  chunkSize?: number;
  /** Waits before each retry after a failure; the count starts again once bytes get through. */
  retryDelays?: readonly number[];
  onProgress?: (p: TransferProgress) => void;
  /** Told, before any progress, how many bytes an earlier run already stored when `uploadUrl` is continued. */
  onResume?: (offset: number) => void;
  http?: TusHttp;
  signal?: AbortSignal;
}

export interface ResumableUploadResult {
  fileId: string;
  downloadUrl: string;
  uploadUrl: string;
  /** Bytes the server already had when this call started (an earlier run's). */
  resumedFrom: number;
  /** Bytes this call sent (more than size − resumedFrom when a chunk had to go again). */
  sent: number;
}

const DEFAULT_CHUNK = 32 * 1024 * 1024;
/** The smallest PATCH a proxy's cap on request bodies makes the upload fall back to. */
const MIN_CHUNK = 1024 * 1024;
const DEFAULT_DELAYS = [0, 1_000, 3_000, 5_000, 10_000];

/** Statuses worth another try: a lock held by another writer, a proxy or server hiccup. */
function retryable(status: number): boolean {
  return status === 409 || status === 423 || status === 429 || status >= 500;
}

/**
 * The tus server refused a step for good. `stage` `creation` with `status` 404 or 405
 * means the server has no tus endpoint: a caller may fall back to the multipart form.
 */
export class SendbayTusError extends SendbayTransferError {
  constructor(
    readonly stage: 'creation' | 'PATCH' | 'HEAD',
    readonly status: number,
    reason?: string,
  ) {
    const why = reason?.trim().split('\n')[0] || (status === 413 ? 'over the size limit or the disk space left' : '');
    super(`upload ${stage} answered HTTP ${status}${why ? `: ${why}` : ''}`, 'upload');
    this.name = 'SendbayTusError';
  }
}

function offsetOf(a: TusAnswer): number {
  const n = Number(a.header('upload-offset'));
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SendbayTransferError(`the server answered no Upload-Offset (HTTP ${a.status})`, 'upload');
  return n;
}

function finished(a: TusAnswer): { fileId: string; downloadUrl: string } | undefined {
  const fileId = a.header('sendbay-file-id');
  return fileId ? { fileId, downloadUrl: a.header('sendbay-download-url') ?? '' } : undefined;
}

/** A chunk of at most `length` bytes of `source`, cut from a longer read. */
async function* limited(source: AsyncIterable<Uint8Array>, length: number): AsyncGenerator<Uint8Array> {
  let left = length;
  for await (const c of source) {
    if (left <= 0) break;
    const piece = c.length > left ? c.subarray(0, left) : c;
    left -= piece.length;
    yield piece;
  }
  if (left > 0) throw new SendbayTransferError(`${length - left} of ${length} bytes read: did the file change?`, 'upload');
}

export async function resumableUpload(
  client: SendbayClient,
  file: UploadFile,
  o: ResumableUploadOptions = {},
): Promise<ResumableUploadResult> {
  const size = sizeOf(file);
  if (size === undefined) throw new SendbayTransferError(`${file.name}: a resumable upload needs the size`, 'upload');
  if (!chunksFrom(file, 0))
    throw new SendbayTransferError(`${file.name}: a resumable upload needs a source it can read again (a path, Blob or bytes)`, 'upload');
  const http = o.http ?? fetchTusHttp(client.fetch);
  const endpoint = o.endpoint ?? new URL('tus/', client.baseUrl).href;
  let chunkSize = Math.max(1, o.chunkSize ?? DEFAULT_CHUNK);
  const delays = o.retryDelays ?? DEFAULT_DELAYS;
  const meter = new ProgressMeter([size]);
  const report = (p: TransferProgress) => o.onProgress?.(p);

  /** The server's offset of an existing upload; undefined when it is gone (expired, unknown, other length). */
  const probe = async (url: string): Promise<{ offset: number; done?: { fileId: string; downloadUrl: string } } | undefined> => {
    const a = await http.request('HEAD', url, {}, undefined, o.signal);
    if (a.status === 404 || a.status === 410 || a.status === 403) return undefined;
    if (a.status !== 200 && a.status !== 204) throw new SendbayTusError('HEAD', a.status, a.text);
    if (a.header('upload-length') !== undefined && Number(a.header('upload-length')) !== size) return undefined;
    return { offset: offsetOf(a), done: finished(a) };
  };

  const create = async (): Promise<string> => {
    const ticket = o.anonymous
      ? await client.anonymous.uploadGetInfo({ speed_limit: o.speedLimit }, { signal: o.signal })
      : await client.upload.getInfo({ speed_limit: o.speedLimit }, { signal: o.signal });
    const meta = uploadMetadata({
      ticket: ticket.extraInfo,
      filename: file.name,
      description: file.description,
      password: o.password,
      folder_id: o.anonymous ? undefined : o.folderId,
      recipients: o.recipients?.join(','),
      message: o.message,
      notify_uploader: typeof o.notifyUploader === 'string' ? o.notifyUploader : o.notifyUploader ? '1' : undefined,
    });
    const a = await http.request('POST', endpoint, { 'upload-length': String(size), 'upload-metadata': meta }, undefined, o.signal);
    const location = a.header('location');
    if (a.status !== 201 || !location) throw new SendbayTusError('creation', a.status, a.text);
    const url = new URL(location, endpoint).href;
    await o.onUploadUrl?.(url);
    return url;
  };

  let url = o.uploadUrl;
  let offset = 0;
  let done: { fileId: string; downloadUrl: string } | undefined;
  if (url) {
    const state = await probe(url);
    if (state) ({ offset, done } = state);
    else url = undefined;
  }
  url ??= await create();
  const resumedFrom = offset;
  meter.skip(0, offset);
  if (o.uploadUrl === url) o.onResume?.(offset);
  let sent = 0;
  let failures = 0;

  while (!done) {
    const length = Math.min(chunkSize, size - offset);
    let delivered = 0;
    const source = chunksFrom(file, offset) as AsyncIterable<Uint8Array>;
    const counted = (async function* () {
      for await (const c of limited(source, length)) {
        delivered += c.length;
        sent += c.length;
        report(meter.add(0, c.length));
        yield c;
      }
    })();
    const body: TusBody = { length, chunks: counted };
    if (typeof Blob !== 'undefined' && file.body instanceof Blob) body.blob = file.body.slice(offset, offset + length);
    let answer: TusAnswer | undefined;
    let failure: unknown;
    try {
      answer = await http.request(
        'PATCH',
        url,
        { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'content-length': String(length) },
        body,
        o.signal,
      );
    } catch (err) {
      if (!(err instanceof SendbayNetworkError)) throw err;
      failure = err;
    }
    if (answer?.status === 204 || answer?.status === 200) {
      const next = offsetOf(answer);
      if (next > offset) failures = 0;
      if (body.blob) {
        sent += length;
        report(meter.add(0, next - offset - delivered));
      }
      offset = next;
      done = finished(answer);
      if (!done && offset >= size) {
        // The last byte landed but the answer did not name the file: a HEAD does.
        const state = await probe(url);
        done = state?.done;
        if (!done) throw new SendbayTransferError(`${file.name}: the server took every byte but named no file`, 'upload');
      }
      continue;
    }
    if (answer?.status === 413 && answer.header('tus-resumable') === undefined && length > MIN_CHUNK) {
      // Not the tus server's own answer (each names Tus-Resumable) but a proxy's cap on
      // request bodies: the same bytes again in smaller PATCHes. Whatever the proxy did
      // let through shows as a 409 next, which asks the server where it stands.
      chunkSize = Math.max(MIN_CHUNK, Math.floor(length / 2));
      if (delivered > 0) report(meter.add(0, -delivered));
      continue;
    }
    if (answer && !retryable(answer.status)) throw new SendbayTusError('PATCH', answer.status, answer.text);
    // Cut or refused for now: wait, then ask the server where it stands and go on from there.
    const delay = delays[failures++];
    if (delay === undefined) throw failure ?? new SendbayTusError('PATCH', answer?.status ?? 0, answer?.text);
    await sleep(delay, o.signal);
    const state = await probeAfterFailure(probe, url, delays, () => failures++, o.signal);
    if (!state) throw new SendbayTransferError(`${file.name}: the upload at ${url} is gone (expired or removed)`, 'upload');
    const counted0 = meter.fileBytes[0] ?? 0;
    if (state.offset !== counted0) report(meter.add(0, state.offset - counted0));
    if (state.offset > offset) failures = 0;
    offset = state.offset;
    done = state.done;
  }
  return { ...done, uploadUrl: url, resumedFrom, sent };
}

/** HEAD, itself retried with the same delays while the network is down. */
async function probeAfterFailure<T>(
  probe: (url: string) => Promise<T>,
  url: string,
  delays: readonly number[],
  failed: () => number,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (;;) {
    try {
      return await probe(url);
    } catch (err) {
      if (!(err instanceof SendbayNetworkError) && !(err instanceof SendbayTusError && retryable(err.status))) throw err;
      const delay = delays[failed()];
      if (delay === undefined) throw err;
      await sleep(delay, signal);
    }
  }
}
