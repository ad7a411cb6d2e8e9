// A resumable upload whose bytes already moved into the blob store when its commit
// failed (a crash, or the database refusing the insert) is finished by its next HEAD
// or PATCH. Until then its blob belongs to no file row, and the sweepers must not take
// it for an orphan: after the grace period the blob would be gone and the upload,
// whose every byte the server had acknowledged, could never be finished.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { manualClock } from '../../testing/library-fixtures.js';
import { startTestServer } from '../../testing/test-server.js';
import { uploadInfo } from '../../testing/upload-kit.js';
import { createUpload, patch, tusRequest } from '../../tus/tus-test-kit.js';

describe('the sweepers and a resumable upload waiting to be finished', () => {
  it('leave its blob alone, so the next HEAD still makes it a file with its bytes', async () => {
    const clock = manualClock();
    const server = await startTestServer({ database: 'sqlite', blobs: 'disk', overrides: { clock } });
    try {
      const { client } = await server.userClient();
      const ticket = (await uploadInfo(client)).extra_info;
      const body = randomBytes(200_000);
      const created = await createUpload(server.url, body.length, { ticket, filename: 'kept.bin' });
      assert.equal(created.status, 201, created.text);
      const url = new URL(created.headers.get('location')!, server.url).href;

      // The database refuses the file row at the commit (an injected fault, as a crash there would leave it).
      if (server.config.database.kind !== 'sqlite') throw new Error('this test injects its fault through SQLite');
      const side = new SQLite(server.config.database.file);
      side.exec(`create trigger refuse_files before insert on files begin select raise(abort, 'injected failure'); end`);
      const last = await patch(url, 0, body);
      assert.ok(last.status >= 500, `the commit failed: ${last.status} ${last.text}`);
      side.exec('drop trigger refuse_files');
      side.close();
      const waiting = await server.ctx.db.selectFrom('tus_uploads').selectAll().executeTakeFirstOrThrow();
      assert.ok(waiting.blob_key && !waiting.file_id, 'its bytes are in the blob store, no file yet');

      // Well past the orphan grace period, the maintenance jobs run.
      clock.advance(2 * 3600);
      for (const job of server.ctx.jobs) await job.run();
      assert.ok(await server.ctx.blobs.stat(waiting.blob_key), 'the blob is still there');
      const report = await server.ctx.fsck.run({ repair: false, hashes: true });
      assert.deepEqual(report.problems, [], 'fsck takes it for no stray either');

      const head = await tusRequest(url, 'HEAD');
      assert.equal(head.status, 200);
      const fileId = head.headers.get('sendbay-file-id');
      assert.ok(fileId, 'the HEAD finished the upload');
      const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirstOrThrow();
      assert.equal(row.sha256, createHash('sha256').update(body).digest('hex'));
      assert.equal(row.blob_key, waiting.blob_key);
    } finally {
      await server.stop();
    }
  });
});
