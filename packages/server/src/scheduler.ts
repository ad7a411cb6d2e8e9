/**
 * Periodic jobs, as the composition root lists them (context.ts: expired sessions,
 * orphan blobs, due limits…). Each job runs once at start-up, then every
 * `intervalSeconds`; a run never overlaps the job's previous one, and a failure is
 * logged, never fatal. `guard` decides whether this process runs a job at all this time
 * (with several nodes: the one holding the job's lease).
 */
import type { Logger } from 'pino';
import { noTelemetry, removedCounts, type Telemetry } from './observability/telemetry.js';

export interface ScheduledJob {
  name: string;
  intervalSeconds: number;
  run(): Promise<unknown>;
  /** Runs on every node, not on one at a time: it tends what each node keeps in its own data folder. */
  everyNode?: boolean;
}

/** Runs `run` if this process should run `job` now; resolves when done or skipped. */
export type JobGuard = (job: ScheduledJob, run: () => Promise<void>) => Promise<void>;

const always: JobGuard = (_job, run) => run();

export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly log: Logger,
    private readonly guard: JobGuard = always,
    private readonly telemetry: Telemetry = noTelemetry,
  ) {}

  start(): void {
    for (const job of this.jobs) {
      this.tick(job);
      const timer = setInterval(() => this.tick(job), job.intervalSeconds * 1000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs one job now, unless it is still running; resolves when that run is over. */
  tick(job: ScheduledJob): Promise<void> {
    const current = this.running.get(job.name);
    if (current || this.stopped) return current ?? Promise.resolve();
    const run = this.guard(job, async () => {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await job.run();
        this.telemetry.maintenance(job.name, true, seconds(), removedCounts(result));
      } catch (err) {
        this.telemetry.maintenance(job.name, false, seconds(), {});
        throw err;
      }
    })
      .catch((err: unknown) => this.log.error({ err, job: job.name }, 'maintenance job failed'))
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    return run;
  }

  /** Stops the timers and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.running.values());
  }
}
