/**
 * The Prometheus side of the observability seam: one registry per server (tests run
 * several in a process), every name starting `sendbay_`. Labelled children are cached
 * so an API call costs one map lookup and an increment.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsExport, Telemetry } from './telemetry.js';

export interface MetricsSources {
  /** Sessions not yet expired, read at scrape time. */
  activeSessions(): Promise<number>;
}

const TRANSFER_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 1800, 7200];
const JOB_BUCKETS = [0.01, 0.1, 1, 10, 60, 600];

export class PrometheusTelemetry implements Telemetry, MetricsExport {
  readonly registry = new Registry();
  private readonly apiCalls = new Counter({
    name: 'sendbay_api_calls_total',
    help: 'API calls by method and outcome (ok, or the error code)',
    labelNames: ['method', 'outcome'],
    registers: [this.registry],
  });
  private readonly apiChildren = new Map<string, { inc(): void }>();
  private readonly uploads = new Counter({
    name: 'sendbay_uploads_total',
    help: 'Upload requests by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly uploadBytes = new Counter({
    name: 'sendbay_upload_bytes_total',
    help: 'Bytes stored by successful uploads',
    registers: [this.registry],
  });
  private readonly uploadSeconds = new Histogram({
    name: 'sendbay_upload_duration_seconds',
    help: 'Upload request duration by outcome',
    labelNames: ['outcome'],
    buckets: TRANSFER_BUCKETS,
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'sendbay_uploads_in_flight',
    help: 'Upload requests being received now',
    registers: [this.registry],
  });
  private readonly downloads = new Counter({
    name: 'sendbay_downloads_total',
    help: 'Downloads by outcome (completed, or aborted by the reader)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly downloadBytes = new Counter({
    name: 'sendbay_download_bytes_total',
    help: 'Bytes of downloads that completed',
    registers: [this.registry],
  });
  private readonly downloadSeconds = new Histogram({
    name: 'sendbay_download_duration_seconds',
    help: 'Download duration by outcome',
    labelNames: ['outcome'],
    buckets: TRANSFER_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobRuns = new Counter({
    name: 'sendbay_maintenance_runs_total',
    help: 'Maintenance job (sweeper) runs by job and result',
    labelNames: ['job', 'result'],
    registers: [this.registry],
  });
  private readonly jobRemoved = new Counter({
    name: 'sendbay_maintenance_removed_total',
    help: 'What maintenance jobs removed, by job and kind',
    labelNames: ['job', 'kind'],
    registers: [this.registry],
  });
  private readonly jobSeconds = new Histogram({
    name: 'sendbay_maintenance_duration_seconds',
    help: 'Maintenance job run duration',
    labelNames: ['job'],
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly blobErrors = new Counter({
    name: 'sendbay_blob_store_errors_total',
    help: 'Blob store operations that failed, by operation',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  private readonly mailErrors = new Counter({
    name: 'sendbay_mail_errors_total',
    help: 'E-mails that could not be sent, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    new Gauge({
      name: 'sendbay_sessions_active',
      help: 'Sessions that have not expired',
      registers: [this.registry],
      async collect() {
        this.set(await sources.activeSessions());
      },
    });
    // Process figures, event-loop lag among them (sendbay_nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry, prefix: 'sendbay_' });
  }

  apiCall(method: string, outcome: string): void {
    const key = `${method}\n${outcome}`;
    let child = this.apiChildren.get(key);
    if (!child) {
      child = this.apiCalls.labels(method, outcome);
      // Method names come from the declaration table, outcomes from the error table: bounded.
      this.apiChildren.set(key, child);
    }
    child.inc();
  }

  upload(outcome: 'ok' | 'fail', bytes: number, seconds: number): void {
    this.uploads.labels(outcome).inc();
    if (bytes > 0) this.uploadBytes.inc(bytes);
    this.uploadSeconds.labels(outcome).observe(seconds);
  }

  uploadStarted(): void {
    this.inFlight.inc();
  }

  uploadEnded(): void {
    this.inFlight.dec();
  }

  download(completed: boolean, bytes: number, seconds: number): void {
    const outcome = completed ? 'completed' : 'aborted';
    this.downloads.labels(outcome).inc();
    if (completed && bytes > 0) this.downloadBytes.inc(bytes);
    this.downloadSeconds.labels(outcome).observe(seconds);
  }

  maintenance(job: string, ok: boolean, seconds: number, removed: Record<string, number>): void {
    this.jobRuns.labels(job, ok ? 'ok' : 'failed').inc();
    this.jobSeconds.labels(job).observe(seconds);
    for (const [kind, n] of Object.entries(removed)) this.jobRemoved.labels(job, kind).inc(n);
  }

  blobError(operation: string): void {
    this.blobErrors.labels(operation).inc();
  }

  mailError(kind: string): void {
    this.mailErrors.labels(kind).inc();
  }

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
