/**
 * How `sbay upload` sends its files. Files of RESUMABLE_FROM bytes or more go one by
 * one over tus, so a dropped connection costs a retry rather than the upload, and a
 * second run on the same file continues the first (its upload URL is kept in the
 * resume store until the upload finishes). Smaller files go together in one
 * multipart form, as do all files of an anonymous upload: tus answers with no delete
 * link, which an anonymous uploader needs. A server without tus (another sendspace
 * implementation) gets every file in the form.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  describeUploaded,
  ProgressMeter,
  resumableUpload,
  SendbayTusError,
  upload as sdkUpload,
  type SendbayClient,
  type TransferProgress,
  type UploadedFile,
  type UploadFile,
  type UploadOptions,
} from '@sendbay/client';
import { nodeHttpTransport, nodeTusHttp } from '@sendbay/client/node';
import { findUpload, forgetUpload, rememberUpload, type ResumeKey } from './upload-resume-store.js';

/** 4 MiB: below it a retry costs little and one form for several files is quicker. */
export const RESUMABLE_FROM = 4 * 1024 * 1024;

/**
 * Bytes per tus PATCH. Each one ends with the server syncing it to disk and a round
 * trip, so fewer, larger PATCHes come closer to a single streamed request (a 1 GiB
 * upload at 256 MiB: 0.97× curl's form upload, at 32 MiB: 0.89×, bench/README.md);
 * a cut connection still loses nothing, since the server keeps what reached it.
 */
const CHUNK_SIZE = 256 * 1024 * 1024;

export interface SentFile extends UploadedFile {
  /** Bytes an earlier `sbay upload` of this file had already stored. */
  resumedFrom: number;
}

export interface SendPlan {
  client: SendbayClient;
  env: NodeJS.ProcessEnv;
  paths: string[];
  files: UploadFile[];
  options: UploadOptions;
  /** Bytes per resumable PATCH (CHUNK_SIZE by default). */
  chunkSize?: number;
  onProgress(p: TransferProgress): void;
  /** Told when an earlier run's upload is continued. */
  onResume(name: string, offset: number): void;
}

export async function sendFiles(plan: SendPlan): Promise<SentFile[]> {
  const { client, files, options: o } = plan;
  const meter = new ProgressMeter(files.map((f) => f.size));
  const seen = files.map(() => 0);
  // Each SDK call counts its own files from 0: move its figures onto this run's meter.
  const progressOf = (index: number) => (p: TransferProgress) => {
    const delta = p.fileBytes - (seen[index] ?? 0);
    seen[index] = p.fileBytes;
    plan.onProgress(meter.add(index, delta));
  };
  const resumable = files.map((f) => !o.anonymous && (f.size ?? 0) >= RESUMABLE_FROM);
  const out: (SentFile | undefined)[] = files.map(() => undefined);
  const inForm = async (indexes: number[]) => {
    if (indexes.length === 0) return;
    const sent = await sdkUpload(
      client,
      indexes.map((i) => files[i] as UploadFile),
      { ...o, transport: nodeHttpTransport, onProgress: (p) => progressOf(indexes[p.file] as number)(p) },
    );
    sent.forEach((f, j) => (out[indexes[j] as number] = { ...f, resumedFrom: 0 }));
  };

  await inForm(files.map((_, i) => i).filter((i) => !resumable[i]));
  let noTus = false;
  for (let i = 0; i < files.length; i++) {
    if (!resumable[i]) continue;
    if (noTus) {
      await inForm([i]);
      continue;
    }
    const file = files[i] as UploadFile;
    const path = resolve(plan.paths[i] as string);
    const st = await stat(path);
    const key: ResumeKey = { server: client.baseUrl, path, size: st.size, mtimeMs: st.mtimeMs };
    const earlier = await findUpload(plan.env, key);
    const r = await resumableUpload(client, file, {
      ...o,
      http: nodeTusHttp,
      chunkSize: plan.chunkSize ?? CHUNK_SIZE,
      uploadUrl: earlier,
      // Saved before the first byte goes, so a run killed at any point can be continued.
      onUploadUrl: (url) => rememberUpload(plan.env, key, url),
      onResume: (offset) => {
        seen[i] = offset;
        meter.skip(i, offset);
        plan.onResume(file.name, offset);
      },
      onProgress: progressOf(i),
    }).catch((err: unknown) => {
      if (!(err instanceof SendbayTusError && err.stage === 'creation' && (err.status === 404 || err.status === 405))) throw err;
      return undefined;
    });
    if (!r) {
      // No tus here: this file and the rest go in the form, which every sendspace server takes.
      noTus = true;
      await forgetUpload(plan.env, key);
      await inForm([i]);
      continue;
    }
    await forgetUpload(plan.env, key);
    const [described] = await describeUploaded(client, [r.fileId], [file], o);
    out[i] = { ...(described as UploadedFile), downloadUrl: described?.downloadUrl || r.downloadUrl, resumedFrom: r.resumedFrom };
  }
  return out as SentFile[];
}
