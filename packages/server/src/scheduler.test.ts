// The scheduler: every job at start-up and on its interval, never two runs of one job
// at once, failures logged and survived, the guard obeyed, stop waiting for runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Scheduler, type ScheduledJob } from './scheduler.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Scheduler', () => {
  it('runs every job once at start', async () => {
    const ran: string[] = [];
    const jobs: ScheduledJob[] = ['a', 'b'].map((name) => ({ name, intervalSeconds: 3600, run: async () => ran.push(name) }));
    const s = new Scheduler(jobs, silent);
    s.start();
    await s.stop();
    assert.deepEqual(ran.sort(), ['a', 'b']);
  });

  it('never overlaps a job with its previous run, and stop waits for the run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job: ScheduledJob = {
      name: 'slow',
      intervalSeconds: 3600,
      run: async () => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        await gate;
        active--;
      },
    };
    const s = new Scheduler([job], silent);
    s.start();
    void s.tick(job);
    void s.tick(job);
    assert.equal(runs, 1);
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await sleep(10);
    assert.equal(stopped, false, 'stop waits for the running job');
    release();
    await stopping;
    assert.equal(maxActive, 1);
    await s.tick(job);
    assert.equal(runs, 1, 'nothing runs after stop');
  });

  it('logs a failing job and runs it again next time', async () => {
    const lines: { msg?: string; job?: string }[] = [];
    const log = pino({ level: 'error' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    let runs = 0;
    const job: ScheduledJob = {
      name: 'flaky',
      intervalSeconds: 3600,
      run: async () => {
        runs++;
        throw new Error('backend down');
      },
    };
    const s = new Scheduler([job], log);
    await s.tick(job);
    await s.tick(job);
    await s.stop();
    assert.equal(runs, 2);
    assert.equal(lines.filter((l) => l.msg === 'maintenance job failed' && l.job === 'flaky').length, 2);
  });

  it('skips a run its guard declines', async () => {
    let runs = 0;
    const job: ScheduledJob = { name: 'leased', intervalSeconds: 3600, run: async () => void runs++ };
    const held = new Set<string>();
    const s = new Scheduler([job], silent, async (j, run) => {
      if (held.has(j.name)) await run();
    });
    await s.tick(job);
    held.add('leased');
    await s.tick(job);
    await s.stop();
    assert.equal(runs, 1);
  });
});
