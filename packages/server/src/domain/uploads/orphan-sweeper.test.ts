// The orphan sweeper on a real server: a crash between blob and row leaves a blob that
// the sweeper removes; referenced blobs, young blobs and the blobs of an upload still
// running are left alone; stale temporary files go.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { randomKey } from '../../lib/crypto.js';
import { FilesRepository } from '../../metadata/repositories/files.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import {
  filesUnder,
  FORM_TYPE,
  multipart,
  openRequest,
  partHead,
  send,
  sessionAnswer,
  uploadInfo,
  waitFor,
} from '../../testing/upload-kit.js';
import { OrphanSweeper } from './orphan-sweeper.js';

describe('the orphan sweeper', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const sweeper = (graceSeconds: number) =>
    new OrphanSweeper({
      blobs: server.ctx.blobs,
      files: new FilesRepository(server.ctx.db),
      clock: server.ctx.clock,
      log: server.ctx.log,
      graceSeconds,
      isInFlight: (key) => server.ctx.uploads.isInFlight(key),
    });

  it('removes a blob left without a row by a crash, and keeps referenced ones', async () => {
    const { client } = await server.userClient();
    const answer = await send((await uploadInfo(client)).url, multipart([{ name: 'userfile', filename: 'kept.txt', content: 'kept' }]));
    const id = sessionAnswer(answer.text).fileIds[0]!;
    const kept = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // What a crash after blobs.put and before the commit leaves behind:
    const orphan = randomKey(32);
    await server.ctx.blobs.put(orphan, Readable.from([Buffer.from('no row for me')]));

    const young = await sweeper(3600).run();
    assert.equal(young.orphans, 0, 'a young orphan is left for the grace period');
    assert.ok(await server.ctx.blobs.stat(orphan));

    const result = await sweeper(0).run();
    assert.equal(result.orphans, 1);
    assert.equal(await server.ctx.blobs.stat(orphan), null, 'the orphan is gone');
    assert.ok(await server.ctx.blobs.stat(kept.blob_key), 'the referenced blob stays');
  });

  it('removes stale temporary files', async () => {
    const tmp = join(server.dataDir, 'tmp');
    await mkdir(tmp, { recursive: true });
    const stale = join(tmp, `${randomKey(32)}.abcdefgh.part`);
    await writeFile(stale, 'half a file');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(stale, old, old);
    assert.equal((await sweeper(3600).run()).temporaries, 1);
    assert.deepEqual(await readdir(tmp), []);
  });

  it('never sweeps the blobs of an upload still running', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const first = randomBytes(50_000);
    const second = randomBytes(50_000);
    const tail = Buffer.from(`\r\n--${FORM_TYPE.split('boundary=')[1]}--\r\n`);
    const head1 = Buffer.from(partHead({ name: 'userfile', filename: 'one.bin', content: '' }));
    const head2 = Buffer.from(`\r\n${partHead({ name: 'userfile2', filename: 'two.bin', content: '' })}`);
    const total = head1.length + first.length + head2.length + second.length + tail.length;
    const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': total } });
    req.write(Buffer.concat([head1, first, head2, second.subarray(0, 10_000)]));
    // The first file is a blob with no row yet; the second is still arriving.
    await waitFor(async () => ((await filesUnder(join(server.dataDir, 'blobs'))).length === 2 ? true : undefined), 5000, 'the first blob');

    await sweeper(0).run();

    req.end(Buffer.concat([second.subarray(10_000), tail]));
    const a = sessionAnswer((await answer).text);
    assert.equal(a.status, 'ok', (await answer).text);
    const rows = await server.ctx.db.selectFrom('files').selectAll().where('id', 'in', a.fileIds).execute();
    assert.equal(rows.length, 2);
    for (const row of rows) assert.ok(await server.ctx.blobs.stat(row.blob_key), `${row.name} survived the sweep`);
  });

  it('is registered with the maintenance jobs', async () => {
    const job = server.ctx.jobs.find((j) => /orphan/.test(j.name));
    assert.ok(job);
    await job.run();
  });
});
