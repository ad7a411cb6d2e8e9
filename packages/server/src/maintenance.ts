/**
 * Periodic jobs (expired tokens and sessions, and whatever sweepers the services
 * register). Each runs once at start-up, then on an interval; a run never overlaps
 * the previous one, and a failure is logged, never fatal.
 */
import type { AppContext } from './context.js';

export type MaintenanceJob = { name: string; run: () => Promise<unknown> };

export function maintenanceJobs(ctx: AppContext): MaintenanceJob[] {
  return [{ name: 'purge expired tokens and sessions', run: () => ctx.auth.purgeExpired() }, ...ctx.sweepers];
}

export function startMaintenance(ctx: AppContext): () => Promise<void> {
  let running: Promise<void> | undefined;
  const runAll = () => {
    if (running) return;
    running = (async () => {
      for (const job of maintenanceJobs(ctx)) {
        try {
          await job.run();
        } catch (err) {
          ctx.log.error({ err, job: job.name }, 'maintenance job failed');
        }
      }
    })().finally(() => {
      running = undefined;
    });
  };
  runAll();
  const timer = setInterval(runAll, ctx.config.sweepIntervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
