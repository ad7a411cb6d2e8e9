/**
 * Readiness: can this process serve? Each configured backend (database, blob store,
 * Redis…) is one HealthCheck; `/readyz` and `sendbay doctor` run them all, each bounded
 * by a timeout so a hung service answers "down" instead of hanging the probe.
 */
import type { HealthCheck } from '../services.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** How long one backend may take to answer before it counts as down. */
export const CHECK_TIMEOUT_MS = 5_000;

export async function runChecks(checks: readonly HealthCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async ({ name, check }) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { name, ok: true, ms: Math.round(performance.now() - started) };
      } catch (err) {
        return { name, ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message || String(err) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
