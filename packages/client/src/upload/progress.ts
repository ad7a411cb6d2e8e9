/**
 * Progress of a transfer: bytes per file and in all, speed over the last few seconds
 * (so it follows changes rather than averaging the whole run) and the time left.
 */
export interface TransferProgress {
  /** Index of the file the last bytes belonged to. */
  file: number;
  fileBytes: number;
  fileSize: number | undefined;
  bytes: number;
  total: number | undefined;
  /** Bytes per second over the recent window. */
  speed: number;
  /** Seconds left, when the total and a speed are known. */
  eta: number | undefined;
  elapsed: number;
}

const WINDOW_MS = 3_000;

export class ProgressMeter {
  readonly fileBytes: number[];
  bytes = 0;
  private readonly started = Date.now();
  private samples: [number, number][] = [];
  /** Bytes that were there before this transfer (a resumed upload's): not part of the speed. */
  private skipped = 0;

  constructor(
    readonly fileSizes: readonly (number | undefined)[],
    private readonly now: () => number = Date.now,
  ) {
    this.fileBytes = fileSizes.map(() => 0);
  }

  get total(): number | undefined {
    return this.fileSizes.every((s) => s !== undefined) ? (this.fileSizes as number[]).reduce((a, b) => a + b, 0) : undefined;
  }

  add(file: number, n: number): TransferProgress {
    this.fileBytes[file] = (this.fileBytes[file] ?? 0) + n;
    this.bytes += n;
    return this.snapshot(file);
  }

  /** Counts `n` bytes as already done (an earlier run's) without taking them for speed. */
  skip(file: number, n: number): void {
    this.fileBytes[file] = (this.fileBytes[file] ?? 0) + n;
    this.bytes += n;
    this.skipped += n;
    this.samples = this.samples.map(([t, b]) => [t, b + n]);
  }

  snapshot(file: number): TransferProgress {
    const t = this.now();
    this.samples.push([t, this.bytes]);
    while (this.samples.length > 2 && (this.samples[0] as [number, number])[0] < t - WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0] as [number, number];
    const elapsedMs = Math.max(1, t - this.started);
    const speed = t - t0 >= 200 ? ((this.bytes - b0) * 1000) / (t - t0) : ((this.bytes - this.skipped) * 1000) / elapsedMs;
    const total = this.total;
    return {
      file,
      fileBytes: this.fileBytes[file] ?? 0,
      fileSize: this.fileSizes[file],
      bytes: this.bytes,
      total,
      speed,
      eta: total !== undefined && speed > 0 ? Math.max(0, (total - this.bytes) / speed) : undefined,
      elapsed: elapsedMs / 1000,
    };
  }
}
