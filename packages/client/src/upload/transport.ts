/**
 * How the bytes of an upload form reach the server: the multipart POST of the spec,
 * over fetch here or node:http in the Node entry; `upload()` takes whichever it is
 * given. Resumable uploads are not a form and have their own path (`resumable.ts`).
 */
import {
  parseAnonymousUploadXml,
  parseSessionUploadText,
  type AnonymousUploadResult,
  type SessionUploadResult,
  type UploadInfoRecord,
} from '@sendbay/protocol';
import { SendbayNetworkError, SendbayProtocolError } from '../errors.js';
import { multipartBody, type MultipartBody } from './multipart.js';
import type { UploadFile } from './source.js';

export interface TransportRequest {
  ticket: UploadInfoRecord;
  /** Form fields other than the ticket and the files (description, folder_id, …). */
  fields: [string, string][];
  files: UploadFile[];
  anonymous: boolean;
  fetch: typeof fetch;
  signal?: AbortSignal | undefined;
  /** Told as bytes of file `i` are handed to the network. */
  onFileBytes(file: number, bytes: number): void;
}

export type TransportAnswer = { kind: 'session'; result: SessionUploadResult } | { kind: 'anonymous'; result: AnonymousUploadResult };

export interface UploadTransport {
  readonly name: string;
  /** Anonymous uploads answer for one file: a transport may be handed one file at a time. */
  readonly filesPerRequest: number;
  send(req: TransportRequest): Promise<TransportAnswer>;
}

const isBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';

function toStream(gen: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await gen.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
}

/** The whole form: the ticket's fields first (as the spec's HTML form has them), then the options. */
export function uploadForm(req: TransportRequest): MultipartBody {
  const ticketFields: [string, string][] = [
    ['MAX_FILE_SIZE', String(req.ticket.maxFileSize)],
    ['UPLOAD_IDENTIFIER', req.ticket.uploadIdentifier],
    ['extra_info', req.ticket.extraInfo],
  ];
  return multipartBody([...ticketFields, ...req.fields], req.files);
}

/** The upload POST's answer: the session text or the anonymous XML, else a protocol error. */
export function uploadAnswer(req: TransportRequest, status: number, text: string): TransportAnswer {
  if (req.anonymous) {
    const result = parseAnonymousUploadXml(text);
    if (result) return { kind: 'anonymous', result };
  } else {
    const result = parseSessionUploadText(text);
    if (result) return { kind: 'session', result };
  }
  throw new SendbayProtocolError(`upload to ${req.ticket.url} answered HTTP ${status}: ${JSON.stringify(text.slice(0, 120))}`, status);
}

/** The spec's form: ticket fields, options, then `userfile`, `userfile2`, … in one POST (fetch: browsers and Node). */
export const multipartTransport: UploadTransport = {
  name: 'multipart',
  filesPerRequest: 100,
  async send(req) {
    const mp = uploadForm(req);
    const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${mp.boundary}` };
    let body: BodyInit;
    if (isBrowser && req.files.every((f) => f.body instanceof Blob || ArrayBuffer.isView(f.body) || f.body instanceof ArrayBuffer)) {
      // Browsers stream request bodies only over HTTP/2: hand them a Blob made of the
      // parts (no copy of the files), and let the progress URL tell how far it got.
      body = new Blob(mp.pieces().map((p) => (p instanceof Uint8Array ? p : p.body) as BlobPart));
    } else {
      if (mp.length !== undefined) headers['content-length'] = String(mp.length);
      body = toStream(mp.chunks(req.onFileBytes));
    }
    let res: Response;
    try {
      res = await req.fetch(req.ticket.url, { method: 'POST', headers, body, signal: req.signal, duplex: 'half' } as RequestInit);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      throw new SendbayNetworkError(req.ticket.url, err);
    }
    const text = await res.text();
    if (req.anonymous) {
      const result = parseAnonymousUploadXml(text);
      if (result) return { kind: 'anonymous', result };
    } else {
      const result = parseSessionUploadText(text);
      if (result) return { kind: 'session', result };
    }
    throw new SendbayProtocolError(
      `upload to ${req.ticket.url} answered HTTP ${res.status}: ${JSON.stringify(text.slice(0, 120))}`,
      res.status,
    );
  },
};
