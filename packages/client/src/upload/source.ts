/**
 * What can be uploaded, without holding it in memory: a Blob (browsers' File too), a
 * Buffer or other byte array, a web ReadableStream or any async iterable of bytes (a
 * Node Readable is one). Paths are the Node entry's business (`fileFromPath`).
 */
export type UploadBody = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadFile {
  name: string;
  body: UploadBody;
  /** Needed for streams to send a Content-Length and report an ETA; known for the rest. */
  size?: number | undefined;
  description?: string | undefined;
  /** Content type of the part (default application/octet-stream). */
  type?: string | undefined;
  /**
   * The bytes from `offset` on, read afresh. A resumable upload needs it for a body that
   * cannot be re-read (a file by path has it); Blobs and byte arrays are sliced instead.
   */
  readFrom?: ((offset: number) => AsyncIterable<Uint8Array>) | undefined;
}

export function sizeOf(f: UploadFile): number | undefined {
  const b = f.body;
  if (typeof Blob !== 'undefined' && b instanceof Blob) return b.size;
  if (b instanceof ArrayBuffer) return b.byteLength;
  if (ArrayBuffer.isView(b)) return b.byteLength;
  return f.size;
}

function bytesOf(b: ArrayBuffer | ArrayBufferView): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Largest piece handed on at once from an in-memory body, so progress moves smoothly. */
const PIECE = 256 * 1024;

/** The body as a stream of byte chunks, read lazily. */
export async function* chunksOf(body: UploadBody): AsyncGenerator<Uint8Array> {
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    yield* chunksOf(body.stream() as unknown as ReadableStream<Uint8Array>);
  } else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const all = bytesOf(body);
    for (let i = 0; i < all.length; i += PIECE) yield all.subarray(i, i + PIECE);
  } else if (typeof (body as unknown as ReadableStream).getReader === 'function' && !(Symbol.asyncIterator in body)) {
    const reader = (body as unknown as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const c of body as AsyncIterable<Uint8Array | string>) yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
  }
}

/**
 * The body from `offset` on, for sending the rest of an upload again; undefined when
 * the source is a one-shot stream that cannot be read a second time.
 */
export function chunksFrom(f: UploadFile, offset: number): AsyncIterable<Uint8Array> | undefined {
  const b = f.body;
  if (f.readFrom) return f.readFrom(offset);
  if (typeof Blob !== 'undefined' && b instanceof Blob) return chunksOf(b.slice(offset));
  if (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) return chunksOf(bytesOf(b).subarray(offset));
  return undefined;
}
