// A time limit that has passed acts the moment the file is touched through files.*,
// before the periodic sweeper gets to it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

describe('time limits on files.* calls', () => {
  let server: TestServer;
  let now = Math.floor(Date.now() / 1000);

  before(async () => {
    server = await startTestServer({
      env: { SENDBAY_SWEEP_INTERVAL: '86400', SENDBAY_PLAN_LITE_DISK_SPACE: '1MB' },
      overrides: { clock: { now: () => now } },
    });
  });
  after(() => server.stop());

  const blobPath = (key: string) => join(server.dataDir, 'blobs', key.slice(0, 2), key.slice(2, 4), key);

  it('deletes an expired file with limit action 2 when files.getInfo asks for it', async () => {
    const u = await server.userClient();
    const f = await storeTestFile(server.ctx, { ownerId: u.id, content: 'x'.repeat(1000), timeLimit: 60, limitAction: 2 });
    assert.equal((await u.client.call('files.getInfo', { file_id: f.id })).status, 'ok');
    const before = Number((await u.client.call('auth.checkSession')).body.diskspace_left);
    now += 61;
    const r = await u.client.call('files.getInfo', { file_id: f.id });
    assert.equal(r.error?.code, 9);
    assert.equal(existsSync(blobPath(f.blob_key)), false, 'the bytes are gone');
    assert.equal(Number((await u.client.call('auth.checkSession')).body.diskspace_left), before + 1000, 'the quota is released');
  });

  it('blocks an expired file with limit action 1 but still shows it to its owner', async () => {
    const u = await server.userClient();
    const f = await storeTestFile(server.ctx, { ownerId: u.id, timeLimit: 60, limitAction: 1 });
    now += 61;
    const r = await u.client.call('files.getInfo', { file_id: f.id });
    assert.equal(r.status, 'ok', r.xml);
    const row = await server.ctx.db.selectFrom('files').select('blocked').where('id', '=', f.id).executeTakeFirstOrThrow();
    assert.equal(row.blocked, 1);
    const d = await u.client.call('download.getInfo', { file_id: f.id });
    assert.equal(d.error?.code, 12, 'downloads are blocked');
  });
});
