/**
 * How one file travels to the server: the ONE module the upload page calls per file.
 * Files go by tus (the official tus-js-client) to `/tus/`, so an upload survives a
 * dropped connection (retried from the server's offset) and a reloaded page (the upload
 * URL is kept in localStorage; picking the same file again continues it). The form
 * without script still posts multipart; this is what the script adds.
 */
import { Upload, type DetailedError, type PreviousUpload } from 'tus-js-client';

export interface SentFile {
  /** The tus upload's id: what the result step is told (the upload URL is the capability). */
  uploadId: string;
  fileId: string;
  downloadUrl: string;
}

export interface SendOptions {
  /** The tus endpoint, `/tus/` of this site. */
  endpoint: string;
  /** The Upload-Metadata: the file's options, and the ticket when there is no session. */
  metadata: Record<string, string>;
  /** Whose upload this is (user id, or "anonymous"): part of the key an upload is kept under. */
  account: string;
  /** Bytes the server has so far (including those of an earlier attempt), and the total. */
  onProgress(sent: number, total: number): void;
  /** An earlier upload of this file is continued from `offset`. */
  onResume(offset: number): void;
}

export interface Sending {
  /** The file once the last byte has landed; rejects with the server's reason ('' when none came). */
  done: Promise<SentFile>;
  /** Stops and removes the upload on the server (tus termination), and forgets it here. */
  cancel(): Promise<void>;
}

// Retried after these waits (ms); tus-js-client starts again from the first once bytes move.
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
// One PATCH per 50 MB, so that a proxy capping request bodies (100 MB at some CDNs) still
// passes them; a cut costs no more for it, the server keeps what arrived of a cut PATCH.
const CHUNK_SIZE = 50 * 1024 * 1024;

/** The key an upload is kept under in this browser: the same file, of the same account. */
function keyOf(file: File, account: string): string {
  return ['sendbay', account, file.name, file.size, file.lastModified].join('/');
}

function options(file: File, account: string): ConstructorParameters<typeof Upload>[1] {
  return {
    fingerprint: () => Promise.resolve(keyOf(file, account)),
    removeFingerprintOnSuccess: true,
  };
}

/** The newest upload of this file this browser started and did not finish, if any. */
async function previousOf(upload: Upload): Promise<PreviousUpload | undefined> {
  const all = await upload.findPreviousUploads();
  return all.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
}

/** Whether this browser has an unfinished upload of `file` it can continue. */
export async function hasEarlierUpload(file: File, account: string): Promise<boolean> {
  return (await previousOf(new Upload(file, options(file, account)))) !== undefined;
}

/**
 * The server's words for a refusal (its answers carry a one-line text), or '' when no
 * answer came: tus-js-client's own message is for developers, the page says it in words.
 */
function reasonOf(err: Error | DetailedError): string {
  return ('originalResponse' in err ? err.originalResponse?.getBody()?.trim() : undefined) ?? '';
}

export function sendFile(file: File, opts: SendOptions): Sending {
  let upload!: Upload;
  let cancelled = false;
  let stop!: (err: Error) => void;
  const done = new Promise<SentFile>((resolve, reject) => {
    stop = reject;
    upload = new Upload(file, {
      ...options(file, opts.account),
      endpoint: opts.endpoint,
      metadata: opts.metadata,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      onProgress: opts.onProgress,
      onAfterResponse: (req, res) => {
        // A HEAD is how tus-js-client asks where an earlier upload stopped.
        const offset = Number(res.getHeader('Upload-Offset'));
        if (req.getMethod() === 'HEAD' && res.getStatus() === 200 && offset > 0) opts.onResume(offset);
      },
      onSuccess: ({ lastResponse }) =>
        resolve({
          uploadId: (upload.url ?? '').split('/').pop() ?? '',
          fileId: lastResponse.getHeader('Sendbay-File-Id') ?? '',
          downloadUrl: lastResponse.getHeader('Sendbay-Download-Url') ?? '',
        }),
      onError: (err) => reject(new Error(reasonOf(err))),
    });
  });
  void previousOf(upload).then((earlier) => {
    if (cancelled) return;
    if (earlier) upload.resumeFromPreviousUpload(earlier);
    upload.start();
  });
  return {
    done,
    cancel: async () => {
      cancelled = true;
      // tus-js-client goes quiet once aborted; the caller still hears that the file stopped.
      stop(new DOMException('cancelled', 'AbortError'));
      await upload.abort(true);
    },
  };
}
