/**
 * SHA-256 of uploads, computed on a worker thread. Hashing is the largest single cost of an
 * upload on the main thread (about a fifth of its busy time per GiB, see bench/README.md),
 * and the main thread also parses every upload's multipart body; on its own thread the
 * hash runs beside the parsing instead of after it.
 *
 * One worker serves every upload (it hashes faster than a network delivers). Bytes travel
 * in batches of BATCH bytes, copied once into a batch buffer that is handed over (not
 * cloned) and handed back for reuse; at most IN_FLIGHT batches per upload wait for the
 * worker, so an upload holds at most BATCH * (IN_FLIGHT + 1) bytes here.
 */
import { Worker } from 'node:worker_threads';

const BATCH = 128 * 1024;
const IN_FLIGHT = 2;

/** The worker: a map of running hashes, fed batches, asked for digests. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = hashes.get(m.id);
    if (!h) hashes.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.buffer, 0, m.length));
    parentPort.postMessage({ op: 'updated', id: m.id, buffer: m.buffer }, [m.buffer]);
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id) ?? createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, hex: h.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  }
});
`;

type Reply = { op: 'updated'; id: number; buffer: ArrayBuffer } | { op: 'digest'; id: number; hex: string };

interface Waiting {
  onUpdated: (buffer: ArrayBuffer) => void;
  onDigest: (hex: string) => void;
  onError: (err: Error) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, Waiting>();
/** Messages the worker has not answered yet: while there are any, it keeps the process alive. */
let unanswered = 0;

function post(message: object, transfer: ArrayBuffer[] = []): void {
  const w = theWorker();
  if (unanswered++ === 0) w.ref();
  w.postMessage(message, transfer);
}

function answered(w: Worker): void {
  if (--unanswered === 0) w.unref();
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, name: 'sha256' });
  w.on('message', (m: Reply) => {
    answered(w);
    const to = waiting.get(m.id);
    if (!to) return;
    if (m.op === 'updated') to.onUpdated(m.buffer);
    else to.onDigest(m.hex);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    unanswered = 0;
    const all = [...waiting.values()];
    waiting.clear();
    for (const to of all) to.onError(err);
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit code ${code})`)));
  // Idle, the worker never keeps the process alive (see post). Unref'd after the listeners:
  // adding a 'message' listener refs the worker again.
  w.unref();
  worker = w;
  return w;
}

/** The running SHA-256 of one stream of bytes. Not safe for concurrent `update`s: await each. */
export class OffThreadSha256 {
  private readonly id = nextId++;
  private readonly free: ArrayBuffer[] = [];
  private batch: Buffer | undefined;
  private filled = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private room: (() => void) | undefined;
  private digested: ((hex: string) => void) | undefined;
  private digestFailed: ((err: Error) => void) | undefined;
  private done = false;

  constructor() {
    waiting.set(this.id, {
      onUpdated: (buffer) => {
        this.inFlight--;
        this.free.push(buffer);
        this.room?.();
      },
      onDigest: (hex) => {
        waiting.delete(this.id);
        this.digested?.(hex);
      },
      onError: (err) => {
        this.failure = err;
        this.room?.();
        this.digestFailed?.(err);
      },
    });
  }

  /** Adds `chunk`; resolves once the bytes are copied and the worker has room for more. */
  async update(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.failure) throw this.failure;
      const batch = (this.batch ??= this.freshBatch());
      const n = chunk.copy(batch, this.filled, offset);
      this.filled += n;
      offset += n;
      if (this.filled === BATCH) await this.send();
    }
  }

  /** The hex digest of everything added. Call once, after the last `update` resolved. */
  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.filled > 0) await this.send();
    this.done = true;
    return new Promise<string>((resolve, reject) => {
      this.digested = resolve;
      this.digestFailed = reject;
      post({ op: 'digest', id: this.id });
    });
  }

  /**
   * Hands over what is still buffered, waits until the worker has hashed it all, and lets
   * go of the batch buffers: for a hash kept between requests (a resumable upload's).
   */
  async park(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.filled > 0) await this.send();
    while (this.inFlight > 0 && !this.failure) await new Promise<void>((resolve) => (this.room = resolve));
    this.room = undefined;
    if (this.failure) throw this.failure;
    this.free.length = 0;
  }

  /** Forgets the hash (a stream that failed): the worker drops its state. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    waiting.delete(this.id);
    worker?.postMessage({ op: 'drop', id: this.id });
  }

  private freshBatch(): Buffer {
    const reused = this.free.pop();
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(BATCH);
  }

  private async send(): Promise<void> {
    const batch = this.batch as Buffer;
    const buffer = batch.buffer as ArrayBuffer;
    const length = this.filled;
    this.batch = undefined;
    this.filled = 0;
    this.inFlight++;
    post({ op: 'update', id: this.id, buffer, length }, [buffer]);
    while (this.inFlight >= IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => (this.room = resolve));
    this.room = undefined;
    if (this.failure) throw this.failure;
  }
}
