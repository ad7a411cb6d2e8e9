/**
 * The multipart/form-data body of a sendspace upload form, streamed: text fields
 * first (the ticket, then the options), then one `userfile`, `userfile2`, … part per
 * file. Its length is known up front whenever every file's size is, so the server
 * (and its progress URL) see a Content-Length, as with curl or a browser form.
 */
import { chunksOf, sizeOf, type UploadFile } from './source.js';

const enc = new TextEncoder();

function quote(s: string): string {
  // Quotes and line breaks would end the header early; browsers percent-encode them the same way.
  return s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function fileFieldName(i: number): string {
  return i === 0 ? 'userfile' : `userfile${i + 1}`;
}

export interface MultipartBody {
  boundary: string;
  /** Undefined when a file's size is not known. */
  length: number | undefined;
  /** Every chunk of the body; `onFileBytes(i, n)` is told as file `i`'s bytes go by. */
  chunks(onFileBytes: (file: number, bytes: number) => void): AsyncGenerator<Uint8Array>;
  /** The body in order, the files as they are (not read): for building a Blob. */
  pieces(): (Uint8Array | UploadFile)[];
}

export function multipartBody(fields: readonly [string, string][], files: readonly UploadFile[]): MultipartBody {
  const boundary = `----sendbay${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const fieldPart = ([k, v]: [string, string]) =>
    enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${v}\r\n`);
  const head = fields.map(fieldPart);
  const fileHeads = files.map((f, i) =>
    enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="${fileFieldName(i)}"; filename="${quote(f.name)}"\r\n` +
        `Content-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
  );
  const crlf = enc.encode('\r\n');
  const tail = enc.encode(`--${boundary}--\r\n`);
  const sizes = files.map(sizeOf);
  const length = sizes.every((s) => s !== undefined)
    ? [...head, ...fileHeads, tail].reduce((n, b) => n + b.length, 0) +
      (sizes as number[]).reduce((a, b) => a + b, 0) +
      files.length * crlf.length
    : undefined;
  return {
    boundary,
    length,
    pieces: () => [...head, ...files.flatMap((f, i) => [fileHeads[i] as Uint8Array, f, crlf]), tail],
    async *chunks(onFileBytes) {
      for (const h of head) yield h;
      for (let i = 0; i < files.length; i++) {
        yield fileHeads[i] as Uint8Array;
        let sent = 0;
        for await (const c of chunksOf((files[i] as UploadFile).body)) {
          sent += c.length;
          yield c;
          onFileBytes(i, c.length);
        }
        const expected = sizes[i];
        if (expected !== undefined && sent !== expected)
          throw new Error(`${(files[i] as UploadFile).name}: ${sent} bytes read, ${expected} expected (did the file change?)`);
        yield crlf;
      }
      yield tail;
    },
  };
}
