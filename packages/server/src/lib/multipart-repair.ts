/**
 * Real-world clients send part headers that a strict multipart parser drops, such as
 * `Content-Disposition: form-data; name="userfile"; filename="a.txt";` (a trailing `;`)
 * or `; ;` (an empty parameter). This pass-through finds each part's header block
 * (after `\r\n--BOUNDARY\r\n`, up to the blank line) and tidies its
 * Content-Disposition; the bodies of parts go through untouched and uncopied, except
 * for the few bytes kept back at a chunk's end that might begin a delimiter (copied
 * with the next chunk's start only when they do).
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Header blocks longer than this are passed on as they are (the parser will refuse them). */
const MAX_HEADER_BLOCK = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/** The boundary of a `multipart/form-data` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/**
 * Drops empty parameters (a trailing `;`, `;;`) from a Content-Disposition value, and
 * spaces around `=`, leaving quoted strings exactly as they are.
 */
export function tidyContentDisposition(value: string): string {
  const params: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quoted) {
      current += c;
      if (c === '\\' && i + 1 < value.length) current += value[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === ';') {
      params.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  params.push(current);
  return params
    .map((p) => p.trim())
    .map((p) => p.replace(/^([^="]*?)\s*=\s*/, '$1='))
    .filter((p) => p.length > 0)
    .join('; ');
}

function tidyHeaderBlock(block: Buffer): Buffer {
  // latin1 maps bytes 1:1, so UTF-8 file names come back out byte for byte.
  const text = block.toString('latin1');
  const fixed = text.replace(
    /^(content-disposition[ \t]*:)([^\r\n]*)/gim,
    (_m, name: string, value: string) => `${name} ${tidyContentDisposition(value)}`,
  );
  return fixed === text ? block : Buffer.from(fixed, 'latin1');
}

export class MultipartRepair extends Transform {
  private readonly delimiter: Buffer;
  /** Bytes kept back: the end of the data that may be the start of a delimiter, or a header block. */
  private pending: Buffer;
  private inHeaders = false;
  /** Bytes of the virtual CRLF prepended so that the first delimiter matches too. */
  private skip = 2;
  private done = false;

  constructor(boundary: string) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.pending = Buffer.from(CRLF);
  }

  private pass(buf: Buffer): void {
    if (this.skip > 0) {
      const drop = Math.min(this.skip, buf.length);
      this.skip -= drop;
      buf = buf.subarray(drop);
    }
    if (buf.length > 0) this.push(buf);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.done) {
      this.push(chunk);
      return cb();
    }
    let data: Buffer;
    if (this.pending.length === 0) {
      data = chunk;
    } else if (this.inHeaders || this.delimiterStartsIn(this.pending, chunk)) {
      data = Buffer.concat([this.pending, chunk]);
    } else {
      // The usual case inside a file: the kept-back bytes start no delimiter, so they go
      // out as they are and the chunk is searched alone, without copying it.
      this.pass(this.pending);
      data = chunk;
    }
    this.pending = EMPTY;
    for (;;) {
      if (this.inHeaders) {
        const end = data.indexOf(HEADER_END);
        if (end < 0) {
          if (data.length > MAX_HEADER_BLOCK) {
            this.inHeaders = false; // give up on this block; let the parser judge it
            continue;
          }
          this.pending = data;
          break;
        }
        this.pass(tidyHeaderBlock(data.subarray(0, end)));
        this.pass(data.subarray(end, end + HEADER_END.length));
        data = data.subarray(end + HEADER_END.length);
        this.inHeaders = false;
        continue;
      }
      const at = data.indexOf(this.delimiter);
      if (at < 0) {
        // Keep back what could be the first bytes of a delimiter split across chunks.
        const keep = Math.min(data.length, this.delimiter.length + 1);
        this.pass(data.subarray(0, data.length - keep));
        this.pending = Buffer.from(data.subarray(data.length - keep));
        break;
      }
      const after = at + this.delimiter.length;
      if (data.length < after + 2) {
        this.pass(data.subarray(0, at));
        this.pending = Buffer.from(data.subarray(at));
        break;
      }
      this.pass(data.subarray(0, after + 2));
      const next = data.subarray(after, after + 2).toString('latin1');
      data = data.subarray(after + 2);
      if (next === '--') {
        // The closing delimiter: whatever follows is epilogue.
        this.done = true;
        this.pass(data);
        break;
      }
      if (next === '\r\n') this.inHeaders = true;
    }
    cb();
  }

  /**
   * Whether a delimiter starts in `pending` (bytes kept back at the end of the last
   * chunk), judged from `pending` and the start of `chunk`; unsure when `chunk` is too
   * short to tell.
   */
  private delimiterStartsIn(pending: Buffer, chunk: Buffer): boolean {
    if (chunk.length < this.delimiter.length) return true;
    const seam = Buffer.concat([pending, chunk.subarray(0, this.delimiter.length)]);
    const at = seam.indexOf(this.delimiter);
    return at >= 0 && at < pending.length;
  }

  override _flush(cb: TransformCallback): void {
    this.pass(this.pending);
    this.pending = EMPTY;
    cb();
  }
}
