/**
 * `sendbay doctor`: is this configuration sound, and does every service it names
 * answer? One line per finding; exit 1 when anything failed. It never creates a data
 * folder or a database: a missing one is a finding.
 */
import type { Config } from '../config.js';
import { runChecks } from '../observability/readiness.js';
import type { HealthCheck } from '../services.js';
import type { Io } from './io.js';
import { openContext, requireExistingData } from './data-folder.js';

function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.file}`;
  const u = new URL(config.database.url);
  return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`; // never the password
}

export async function runDoctor(config: Config, io: Io): Promise<number> {
  let failed = 0;
  const line = (ok: boolean | 'warn', what: string) => {
    if (ok === false) failed++;
    io.out(`${ok === true ? 'ok  ' : ok === 'warn' ? 'warn' : 'FAIL'}  ${what}`);
  };
  line(true, `configuration read: public URL ${config.publicUrl}, listening on ${config.host}:${config.port}`);
  line(
    true,
    `database: ${describeDatabase(config)}; blobs: ${config.blobs.kind}; mail: ${config.mail.kind}; coordination: ${config.coordination.kind}`,
  );
  for (const w of config.warnings) line('warn', w);
  try {
    requireExistingData(config);
  } catch (err) {
    line(false, (err as Error).message);
    return 1;
  }
  const ctx = await openContext(config);
  try {
    const checks: HealthCheck[] = [...ctx.health];
    const check = ctx.mailer.check?.bind(ctx.mailer);
    if (check) checks.push({ name: `mail (${config.mail.kind})`, check });
    for (const r of await runChecks(checks)) line(r.ok, `${r.name} answers${r.ok ? ` (${r.ms} ms)` : `: no. ${r.error}`}`);
  } finally {
    await ctx.dispose();
  }
  io.out(failed === 0 ? 'everything answers' : `${failed} problem(s) found`);
  return failed === 0 ? 0 : 1;
}
