/**
 * Reads an upload request body into an UploadReceiver, streaming: a form (multipart or
 * urlencoded) through busboy, anything else as the raw bytes of one file (PUT, or a POST
 * of `application/octet-stream`). Transport only: which fields mean what, and every
 * limit, belong to the receiver. The raw body passes a meter first, so the progress URL
 * sees bytes as they are read.
 *
 * When the receiver refuses (a limit broken, a bad field) the read stops at once and the
 * answer is sent; what the client is still sending is then drained for a short while
 * and the connection cut if it goes on (a lingering close: clients that read the answer
 * only after sending everything still get it, and nobody can keep a socket busy).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { UploadInterrupted, UploadRefused } from '../domain/uploads/upload-errors.js';
import type { UploadOutcome } from '../domain/uploads/upload-outcome.js';
import type { UploadReceiver } from '../domain/uploads/upload-receiver.js';
import { Meter } from '../lib/meter.js';
import { MultipartRepair, multipartBoundary } from '../lib/multipart-repair.js';

/** Bounds on the form itself; file sizes are the receiver's business. */
const FORM_LIMITS = {
  fieldNameSize: 200,
  fieldSize: 64 * 1024,
  fields: 300,
  // 100 files plus room for the empty file inputs some forms also send.
  files: 110,
  parts: 500,
  headerPairs: 50,
};
/** After an early answer, what the client still sends is drained for at most this long / this much. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 16 * 1024 * 1024;

/** What a body is read into: the receiver, or a front door that renames fields on the way (the web form). */
export type UploadSink = Pick<UploadReceiver, 'identify' | 'field' | 'file' | 'received' | 'finish' | 'abort'>;

export interface UploadRequest {
  raw: IncomingMessage;
  receiver: UploadSink;
  /** The identifier in the URL path, if any. */
  pathIdentifier: string | undefined;
  /** Query parameters, applied as form fields before the body. */
  query: [string, string][];
  /** A client that sends nothing for this long is dropped. */
  idleTimeoutMs: number;
}

export interface UploadRead {
  outcome: UploadOutcome;
  /** False when the answer comes before the whole body was read. */
  complete: boolean;
}

/**
 * Requests whose Content-Type is present but names no `type/subtype`. The upload routes
 * take the header away before the framework sees it (it would answer a bare 415), so
 * that the upload itself is refused with the spec's `upload_status=fail`.
 */
const withoutMediaType = new WeakSet<IncomingMessage>();
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;|$)/;

/** Called before body parsing: sets aside a Content-Type that is no media type. */
export function setAsideInvalidMediaType(raw: IncomingMessage): void {
  const type = raw.headers['content-type'];
  if (type === undefined || MEDIA_TYPE.test(type)) return;
  withoutMediaType.add(raw);
  delete raw.headers['content-type'];
}

function isForm(contentType: string | undefined): boolean {
  return /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType ?? '');
}

/** The file name of a raw upload: `?filename=`, else the Content-Disposition header. */
export function rawFileName(query: [string, string][], disposition: string | undefined): string | undefined {
  const fromQuery = query.find(([k]) => k === 'filename')?.[1];
  if (fromQuery) return fromQuery;
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent((star[1] as string).trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(disposition);
  if (quoted) return (quoted[1] as string).replace(/\\(.)/g, '$1');
  return /filename\s*=\s*([^;\s]+)/i.exec(disposition)?.[1];
}

export function readUpload(req: UploadRequest): Promise<UploadRead> {
  const { raw, receiver } = req;
  return new Promise<UploadRead>((resolve) => {
    let ended = false;
    const detach: (() => void)[] = [];

    const end = (outcome: Promise<UploadOutcome>) => {
      if (ended) return;
      ended = true;
      for (const d of detach) d();
      void outcome.then((o) => resolve({ outcome: o, complete: raw.complete }));
    };
    const stop = (err: unknown) => {
      if (ended) return;
      raw.unpipe();
      end(receiver.abort(err));
    };

    // A client that goes quiet or goes away ends the upload; its bytes are removed.
    // (It is still answered; the lingering close then cuts the connection.)
    const onIdle = () => stop(new UploadInterrupted('The upload timed out: nothing was received for too long'));
    raw.setTimeout(req.idleTimeoutMs, onIdle);
    const onGone = () => {
      if (!raw.complete) stop(new UploadInterrupted());
    };
    raw.on('aborted', onGone);
    raw.on('close', onGone);
    raw.on('error', onGone);
    detach.push(() => {
      raw.off('timeout', onIdle);
      raw.setTimeout(0);
      raw.off('aborted', onGone);
      raw.off('close', onGone);
      raw.off('error', onGone);
    });

    try {
      if (req.pathIdentifier) receiver.identify(req.pathIdentifier);
      for (const [name, value] of req.query) receiver.field(name, value);
    } catch (err) {
      return stop(err);
    }

    if (withoutMediaType.has(raw)) return stop(new UploadRefused('The Content-Type header is not a media type (type/subtype)'));
    const meter = new Meter({ onProgress: (n) => receiver.received(n) });
    if (!isForm(raw.headers['content-type'])) {
      const name = rawFileName(req.query, header(raw.headers['content-disposition']));
      raw.pipe(meter);
      receiver.file('userfile', name, meter).then(() => end(receiver.finish()), stop);
      return;
    }

    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: raw.headers, defParamCharset: 'utf8', limits: FORM_LIMITS });
    } catch {
      return stop(new UploadRefused('The form could not be read: the Content-Type has no usable boundary'));
    }
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) return stop(new UploadRefused(`Field ${name.slice(0, 50)} is too long`));
      try {
        receiver.field(name, value);
      } catch (err) {
        stop(err);
      }
    });
    parser.on('file', (name, stream: Readable, info) => {
      receiver.file(name, info.filename, stream).catch(stop);
    });
    parser.on('filesLimit', () => stop(new UploadRefused(`Too many file parts (at most ${FORM_LIMITS.files})`)));
    parser.on('fieldsLimit', () => stop(new UploadRefused(`Too many form fields (at most ${FORM_LIMITS.fields})`)));
    parser.on('partsLimit', () => stop(new UploadRefused(`Too many form parts (at most ${FORM_LIMITS.parts})`)));
    parser.on('error', (err: Error) => {
      // Lenient end: a body that stops after its last complete part, without the exact
      // closing delimiter, is a whole form. A part cut short fails on its own.
      if (raw.complete && /Unexpected end of form/.test(err.message)) return end(receiver.finish());
      stop(new UploadRefused('The form could not be read: malformed multipart data'));
    });
    parser.on('close', () => end(receiver.finish()));
    detach.push(() => parser.removeAllListeners('close'));

    const boundary = multipartBoundary(raw.headers['content-type']);
    if (boundary) raw.pipe(meter).pipe(new MultipartRepair(boundary)).pipe(parser);
    else raw.pipe(meter).pipe(parser);
  });
}

/**
 * After an early answer: drain what the client is still sending, for a short while,
 * then cut the connection if the body has not ended.
 */
export function lingerAfterEarlyAnswer(raw: IncomingMessage): void {
  if (raw.complete || raw.destroyed) return;
  let drained = 0;
  const cut = () => raw.socket?.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) cut();
  });
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
