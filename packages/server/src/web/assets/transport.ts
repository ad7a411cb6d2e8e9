/**
 * How one file travels to the server: the ONE function the upload page calls per file.
 * Today a multipart POST through XMLHttpRequest (the only browser API that reports
 * upload progress); a resumable transport can take its place with the same shape.
 */
export interface SentFile {
  id: string;
  name: string;
  size: number;
  downloadUrl: string;
  deleteUrl: string;
}

export interface TransportResult {
  ok: boolean;
  files: SentFile[];
  reason?: string;
}

export interface SendOptions {
  /** The form's action URL. */
  url: string;
  /** Every form field but the files. */
  fields: [string, string][];
  /** Bytes of the request body sent so far, and its total. */
  onProgress(sent: number, total: number): void;
  signal: AbortSignal;
}

export function sendFile(file: File, opts: SendOptions): Promise<TransportResult> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    for (const [k, v] of opts.fields) body.append(k, v);
    body.append('upload_file[]', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', opts.url);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      const r = xhr.response as { status?: string; files?: SentFile[]; reason?: string } | null;
      resolve({ ok: r?.status === 'ok', files: r?.files ?? [], ...(r?.reason ? { reason: r.reason } : {}) });
    });
    xhr.addEventListener('error', () => reject(new Error('network')));
    xhr.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')));
    opts.signal.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}
