/**
 * Where a download's bytes go on Node: a worker thread hashes them (the SHA-256 checked
 * against the ETag) and writes them to the file, so the main thread only receives them.
 * On one thread, receiving, hashing and writing a GiB took about 2.4 times as long as
 * curl; spread over threads, the hash and the write run beside the socket reads
 * (bench/README.md, "sbay upload and download against curl").
 *
 * Bytes travel in batches of BATCH bytes, copied once into a batch buffer that is handed
 * over (not cloned) and handed back for reuse; at most IN_FLIGHT batches wait for the
 * worker, so a download holds at most BATCH * (IN_FLIGHT + 1) bytes here.
 */
import { Worker } from 'node:worker_threads';

const BATCH = 1024 * 1024;
const IN_FLIGHT = 4;

/**
 * The worker: opens the file (when there is one), hashes what a resumed download already
 * has, then for each batch starts its write (positioned, on libuv's pool) and hashes it
 * meanwhile; the batch goes back once both are done. Hashing and writing each take about
 * as long as receiving, so the three run side by side.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { path, flags, start, hashing } = workerData;
const hash = createHash('sha256');
let fd;
let position = start;
let writing = 0;
let finishing = false;
let failed = false;
const fail = (err) => {
  if (failed) return;
  failed = true;
  parentPort.postMessage({ op: 'error', message: err.message, code: err.code });
};
function writeAll(bytes, from, at, done) {
  fs.write(fd, bytes, from, bytes.length - from, at + from, (err, n) => {
    if (err) return done(err);
    if (from + n < bytes.length) return writeAll(bytes, from + n, at, done);
    done();
  });
}
function finish() {
  if (fd !== undefined) fs.closeSync(fd);
  fd = undefined;
  parentPort.postMessage({ op: 'digest', hex: hashing ? hash.digest('hex') : '' });
}
try {
  if (path !== undefined) {
    fd = fs.openSync(path, flags);
    const buffer = Buffer.allocUnsafe(${BATCH});
    for (let at = 0; at < start; ) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, start - at), at);
      if (n === 0) throw new Error(path + ' is shorter than the ' + start + ' bytes it had');
      if (hashing) hash.update(buffer.subarray(0, n));
      at += n;
    }
  }
  parentPort.postMessage({ op: 'ready' });
} catch (err) {
  fail(err);
}
parentPort.on('message', (m) => {
  try {
    if (failed) return;
    if (m.op === 'write') {
      const bytes = new Uint8Array(m.buffer, 0, m.length);
      const handBack = () => parentPort.postMessage({ op: 'written', buffer: m.buffer }, [m.buffer]);
      if (fd === undefined) {
        hash.update(bytes);
        return handBack();
      }
      let left = 2;
      const oneDone = () => {
        if (--left === 0) handBack();
      };
      writing++;
      writeAll(bytes, 0, position, (err) => {
        writing--;
        if (err) return fail(err);
        oneDone();
        if (finishing && writing === 0) finish();
      });
      position += m.length;
      if (hashing) hash.update(bytes);
      oneDone();
    } else if (m.op === 'finish') {
      finishing = true;
      if (writing === 0) finish();
    }
  } catch (err) {
    fail(err);
  }
});
`;

type Reply =
  | { op: 'ready' }
  | { op: 'written'; buffer: ArrayBuffer }
  | { op: 'digest'; hex: string }
  | { op: 'error'; message: string; code?: string };

export interface SinkTarget {
  /** The file to write; without one the sink only hashes (the caller writes the bytes). */
  path?: string;
  /** 'w' starts the file over; 'r+' continues it at `start`. */
  flags?: 'w' | 'r+';
  /** Where the new bytes begin; the `start` bytes before it are read back and hashed first. */
  start?: number;
  /** False: write only, no SHA-256 (the digest is then ''). Default true. */
  hash?: boolean;
}

/** Not safe for concurrent `write`s: await each one that returns a promise. */
export class DownloadSink {
  private readonly free: ArrayBuffer[] = [];
  private batch: Buffer | undefined;
  private filled = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private digested: ((hex: string) => void) | undefined;
  private closed = false;

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker; resolves once the file is open and any earlier bytes are hashed. */
  static open(target: SinkTarget = {}): Promise<DownloadSink> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: 'sendbay-download',
      workerData: { path: target.path, flags: target.flags ?? 'w', start: target.start ?? 0, hashing: target.hash !== false },
    });
    const sink = new DownloadSink(worker);
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: Reply) => {
        if (m.op === 'ready') {
          ready = true;
          resolve(sink);
        } else if (m.op === 'written') {
          sink.inFlight--;
          sink.free.push(m.buffer);
          sink.wake?.();
        } else if (m.op === 'digest') {
          sink.digested?.(m.hex);
        } else {
          const err = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
          if (!ready) void worker.terminate();
          sink.fail(err);
          if (!ready) reject(err);
        }
      });
      worker.on('error', (err) => {
        sink.fail(err);
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (!sink.closed) sink.fail(new Error(`the download's writing thread stopped (exit code ${code})`));
      });
    });
  }

  /**
   * Adds `chunk`. Answers undefined when the sink took it at once, or a promise that
   * resolves once the worker has room for more (the caller stops reading meanwhile).
   */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    let offset = 0;
    while (offset < chunk.length) {
      const batch = (this.batch ??= this.freshBatch());
      const n = chunk.copy(batch, this.filled, offset);
      this.filled += n;
      offset += n;
      if (this.filled === BATCH) {
        this.send();
        // The rest of `chunk` needs a batch the worker still holds: wait, then go on.
        if (this.inFlight >= IN_FLIGHT) return this.room().then(() => this.write(chunk.subarray(offset)));
      }
    }
    return undefined;
  }

  /** Writes what is left, closes the file and answers the hex SHA-256 of the whole file ('' when not hashing). */
  async finish(): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.filled > 0) this.send();
    const hex = new Promise<string>((resolve, reject) => {
      this.digested = resolve;
      this.wake = () => {
        if (this.failure) reject(this.failure);
      };
    });
    this.worker.postMessage({ op: 'finish' });
    try {
      return await hex;
    } finally {
      await this.close();
    }
  }

  /** Stops the worker (a download that failed); the file is closed with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }

  private room(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.wake = () => {
        if (this.failure) return reject(this.failure);
        if (this.inFlight < IN_FLIGHT) {
          this.wake = undefined;
          resolve();
        }
      };
    });
  }

  private freshBatch(): Buffer {
    const reused = this.free.pop();
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(BATCH);
  }

  private send(): void {
    const buffer = (this.batch as Buffer).buffer as ArrayBuffer;
    this.worker.postMessage({ op: 'write', buffer, length: this.filled }, [buffer]);
    this.batch = undefined;
    this.filled = 0;
    this.inFlight++;
  }
}
