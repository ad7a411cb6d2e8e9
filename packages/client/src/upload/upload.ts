/**
 * An upload as a user means it: get a ticket (upload.getInfo, or
 * anonymous.uploadGetInfo), send the files through a transport with progress, then
 * apply what the form cannot carry (time and download limits) and return each file's
 * record with its links.
 */
import { parseProgressXml, type FileRecord, type ProgressSnapshot } from '@sendbay/protocol';
import type { SendbayClient } from '../client.js';
import { SendbayTransferError } from '../errors.js';
import { sleep } from '../rest.js';
import { ProgressMeter, type TransferProgress } from './progress.js';
import { sizeOf, type UploadFile } from './source.js';
import { multipartTransport, type UploadTransport } from './transport.js';

export interface UploadOptions {
  /** Upload without a session (anonymous.uploadGetInfo); the answer carries a delete link. */
  anonymous?: boolean;
  folderId?: string;
  /** Password the download page will ask for. */
  password?: string;
  /** Addresses mailed the links by the server. */
  recipients?: readonly string[];
  message?: string;
  /** Session uploads: mail the uploader too. Anonymous: the uploader's address. */
  notifyUploader?: boolean | string;
  /** Server-side speed limit in KB/s. */
  speedLimit?: number;
  /** Applied with files.setInfo after the upload (session uploads). */
  timeLimit?: number;
  downloadLimit?: number;
  limitAction?: 0 | 1 | 2 | 3;
  /** With limitAction 3: where the file goes. */
  limitActionToFolder?: string;
  onProgress?: (p: TransferProgress) => void;
  /** Polls the server's progress_url while the upload runs. */
  onServerProgress?: (p: ProgressSnapshot) => void;
  serverProgressIntervalMs?: number;
  transport?: UploadTransport;
  signal?: AbortSignal;
}

export interface UploadedFile {
  fileId: string;
  name: string;
  downloadUrl: string;
  /** Anonymous uploads, and the owner's record. */
  deleteUrl?: string | undefined;
  /** The full record (session uploads). */
  record?: FileRecord | undefined;
}

function formFields(o: UploadOptions, files: readonly UploadFile[]): [string, string][] {
  const f: [string, string][] = [];
  files.forEach((file, i) => {
    if (file.description) f.push([i === 0 ? 'description' : `description${i + 1}`, file.description]);
  });
  if (o.password) f.push(['password', o.password]);
  if (o.folderId && !o.anonymous) f.push(['folder_id', o.folderId]);
  if (o.recipients?.length) f.push(['recipient_email', o.recipients.join(',')]);
  if (o.message) f.push(['recipient_message', o.message]);
  if (typeof o.notifyUploader === 'string') f.push(['notify_uploader', o.notifyUploader]);
  else if (o.notifyUploader) f.push(['notify_uploader', '1']);
  return f;
}

async function pollProgress(client: SendbayClient, url: string, o: UploadOptions, stop: AbortSignal): Promise<void> {
  const every = o.serverProgressIntervalMs ?? 1_000;
  while (!stop.aborted) {
    try {
      await sleep(every, stop);
      const res = await client.fetch(url, { signal: stop });
      const p = parseProgressXml(await res.text());
      if (p) o.onServerProgress?.(p);
    } catch {
      // The progress URL is advisory: a missed poll is not an upload failure.
    }
  }
}

export async function upload(client: SendbayClient, files: readonly UploadFile[], o: UploadOptions = {}): Promise<UploadedFile[]> {
  if (files.length === 0) return [];
  const transport = o.transport ?? multipartTransport;
  const perRequest = o.anonymous ? 1 : Math.max(1, transport.filesPerRequest);
  const meter = new ProgressMeter(files.map(sizeOf));
  const out: UploadedFile[] = [];
  for (let start = 0; start < files.length; start += perRequest) {
    const batch = files.slice(start, start + perRequest);
    const ticket = o.anonymous
      ? await client.anonymous.uploadGetInfo({ speed_limit: o.speedLimit }, { signal: o.signal })
      : await client.upload.getInfo({ speed_limit: o.speedLimit }, { signal: o.signal });
    const stopPolling = new AbortController();
    const polling = o.onServerProgress && ticket.progressUrl ? pollProgress(client, ticket.progressUrl, o, stopPolling.signal) : undefined;
    let answer;
    try {
      answer = await transport.send({
        ticket,
        fields: formFields(o, batch),
        files: batch,
        anonymous: !!o.anonymous,
        fetch: client.fetch,
        signal: o.signal,
        onFileBytes: (i, n) => {
          const p = meter.add(start + i, n);
          o.onProgress?.(p);
        },
      });
    } finally {
      stopPolling.abort();
      await polling;
    }
    if (answer.kind === 'anonymous') {
      const r = answer.result;
      if (r.status !== 'ok' || !r.fileId) throw new SendbayTransferError(`upload failed: ${r.reason ?? 'the server refused it'}`, 'upload');
      out.push({ fileId: r.fileId, name: (batch[0] as UploadFile).name, downloadUrl: r.downloadUrl ?? '', deleteUrl: r.deleteUrl });
      continue;
    }
    const r = answer.result;
    if (r.status !== 'ok' || r.fileIds.length !== batch.length)
      throw new SendbayTransferError(
        `upload failed: ${r.reason ?? `the server stored ${r.fileIds.length} of ${batch.length} files`}`,
        'upload',
      );
    out.push(...(await describeUploaded(client, r.fileIds, batch, o)));
  }
  return out;
}

/**
 * After the bytes: the time and download limits the form cannot carry (files.setInfo),
 * else files.getInfo, for each new file's record and links. Shared with resumable uploads.
 */
export async function describeUploaded(
  client: SendbayClient,
  fileIds: readonly string[],
  files: readonly UploadFile[],
  o: Pick<UploadOptions, 'timeLimit' | 'downloadLimit' | 'limitAction' | 'limitActionToFolder' | 'signal'>,
): Promise<UploadedFile[]> {
  const limits = o.timeLimit !== undefined || o.downloadLimit !== undefined || o.limitAction !== undefined;
  const info = limits
    ? await client.files.setInfo(
        fileIds,
        {
          time_limit: o.timeLimit,
          download_limit: o.downloadLimit,
          limit_action: o.limitAction,
          limit_action_to_folder: o.limitActionToFolder,
        },
        { signal: o.signal },
      )
    : await client.files.getInfo(fileIds, { signal: o.signal });
  const byId = new Map(info.items.map((f) => [f.id, f]));
  return fileIds.map((id, i) => {
    const rec = byId.get(id);
    return {
      fileId: id,
      name: rec?.name ?? (files[i] as UploadFile).name,
      downloadUrl: rec?.downloadPageUrl ?? '',
      deleteUrl: rec?.deleteUrl,
      record: rec,
    };
  });
}
