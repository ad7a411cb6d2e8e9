/**
 * The one contract every progress tracker passes (memory, Redis). Reads may lag
 * reports by a flush interval, so assertions on reported totals wait for them.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { ProgressEntry, ProgressTracker } from './progress-tracker.js';

export interface ProgressHarness {
  /** Two views of one store: a writer node and a reader node (the same object in memory). */
  writer: ProgressTracker;
  reader: ProgressTracker;
  close(): Promise<void>;
}

async function eventually(
  read: () => Promise<ProgressEntry | undefined>,
  ok: (e: ProgressEntry | undefined) => boolean,
): Promise<ProgressEntry | undefined> {
  let e = await read();
  for (let i = 0; i < 200 && !ok(e); i++) {
    await sleep(10);
    e = await read();
  }
  assert.ok(ok(e), `progress never reached the expected state: ${JSON.stringify(e)}`);
  return e;
}

export function progressContract(
  name: string,
  make: (opts: { retentionMs: number }) => Promise<ProgressHarness>,
  skip: string | false = false,
): void {
  describe(`progress contract: ${name}`, { skip }, () => {
    let h: ProgressHarness;
    const harness = async () => (h ??= await make({ retentionMs: 300 }));
    after(async () => h?.close());

    it('follows an upload from begin to done, read from another node', async () => {
      const { writer, reader } = await harness();
      const before = Date.now();
      writer.begin('u1', 500);
      const started = await eventually(
        () => reader.get('u1'),
        (e) => e?.status === 'running',
      );
      assert.equal(started?.totalBytes, 500);
      assert.ok((started?.startedAt ?? 0) >= before - 5);
      writer.report('u1', 100);
      writer.report('u1', 200);
      await eventually(
        () => reader.get('u1'),
        (e) => e?.receivedBytes === 200,
      );
      writer.report('u1', 500);
      writer.end('u1', 'done');
      const done = await eventually(
        () => reader.get('u1'),
        (e) => e?.status === 'done',
      );
      assert.equal(done?.receivedBytes, 500, 'the last report before the end is kept');
      assert.ok(done?.endedAt !== undefined && done.endedAt >= done.startedAt);
    });

    it('never goes backwards, ignores reports after the end, and keeps the first outcome', async () => {
      const { writer, reader } = await harness();
      writer.begin('u2', 100);
      writer.report('u2', 60);
      await eventually(
        () => reader.get('u2'),
        (e) => e?.receivedBytes === 60,
      );
      writer.report('u2', 40);
      writer.end('u2', 'fail');
      writer.report('u2', 90);
      writer.end('u2', 'done');
      await sleep(50);
      const e = await eventually(
        () => reader.get('u2'),
        (x) => x?.status === 'fail',
      );
      assert.equal(e?.receivedBytes, 60);
    });

    it('starts again from zero when an identifier begins again', async () => {
      const { writer, reader } = await harness();
      writer.begin('u3', 10);
      writer.report('u3', 10);
      writer.end('u3', 'fail');
      await eventually(
        () => reader.get('u3'),
        (e) => e?.status === 'fail',
      );
      writer.begin('u3', 20);
      const e = await eventually(
        () => reader.get('u3'),
        (x) => x?.status === 'running',
      );
      assert.equal(e?.receivedBytes, 0);
      assert.equal(e?.totalBytes, 20);
    });

    it('knows nothing of an identifier never begun, and forgets finished entries after the retention time', async () => {
      const { writer, reader } = await harness();
      assert.equal(await reader.get('never'), undefined);
      writer.begin('u4', 1);
      writer.end('u4', 'done');
      await eventually(
        () => reader.get('u4'),
        (e) => e?.status === 'done',
      );
      await eventually(
        () => reader.get('u4'),
        (e) => e === undefined,
      );
    });
  });
}
