/**
 * The observability seam: what the server reports about itself, as plain method calls.
 * Domain code and routes call these; only the implementation behind them (metrics.ts,
 * chosen in context.ts) knows Prometheus. Every method is cheap and never throws.
 */

/** `ok`, or the spec's error code as text (`6`, `15`…), or `unknown_method`. */
export type ApiOutcome = string;

export interface Telemetry {
  apiCall(method: string, outcome: ApiOutcome): void;
  /** An upload request ended: `bytes` stored (0 when it failed). */
  upload(outcome: 'ok' | 'fail', bytes: number, seconds: number): void;
  uploadStarted(): void;
  uploadEnded(): void;
  /** A download ended: `completed` false when the reader left before the last byte. */
  download(completed: boolean, bytes: number, seconds: number): void;
  /** A maintenance job ran; `removed` counts what it removed, by kind. */
  maintenance(job: string, ok: boolean, seconds: number, removed: Record<string, number>): void;
  blobError(operation: string): void;
  mailError(kind: string): void;
}

/** The Prometheus text exposition of everything reported. */
export interface MetricsExport {
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Reports nothing: for the admin CLI and tools that serve no traffic. */
export const noTelemetry: Telemetry = {
  apiCall() {},
  upload() {},
  uploadStarted() {},
  uploadEnded() {},
  download() {},
  maintenance() {},
  blobError() {},
  mailError() {},
};

/** What a maintenance job returned, as counts: `{ orphans: 2 }` from a result object, `{ removed: n }` from a number. */
export function removedCounts(result: unknown): Record<string, number> {
  if (typeof result === 'number') return { removed: result };
  const out: Record<string, number> = {};
  if (result && typeof result === 'object')
    for (const [k, v] of Object.entries(result)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
