// Fault: the disk fills up in the middle of an upload. The data folder is a small tmpfs
// (mounted here, so the test needs root, as CI has); an upload larger than the space left
// answers upload_status=fail, leaves no temporary file, no row and no charge, and the
// server goes on serving, uploads included, once there is room.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { assertNoUploadLeftovers, multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

const SIZE_MB = 8;

async function mountSmallDisk(): Promise<{ dir: string } | { skip: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sendbay-full-'));
  if (process.getuid?.() !== 0) return { skip: 'mounting a small tmpfs needs root (CI runs as root)' };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here: ${String((err as Error).message).split('\n')[0]}` };
  }
}

describe('disk full in the middle of an upload', () => {
  let disk: { dir: string } | { skip: string };
  let server: TestServer | undefined;

  before(async () => {
    disk = await mountSmallDisk();
    if ('dir' in disk) server = await startTestServer({ env: { SENDBAY_DATA_DIR: disk.dir, SENDBAY_PLAN_LITE_DISK_SPACE: '1GB' } });
  });
  after(async () => {
    await server?.stop();
    if ('dir' in disk) {
      execFileSync('umount', [disk.dir]);
      await rm(disk.dir, { recursive: true, force: true });
    }
  });

  it('answers fail, leaves nothing, charges nothing, and keeps serving', async (t) => {
    if (!server) return t.skip(`skipped: ${(disk as { skip: string }).skip}`);
    const u = await server.userClient();
    const info = await uploadInfo(u.client);
    const big = Buffer.alloc((SIZE_MB + 2) * 1024 * 1024, 0x61);
    const answer = await send(info.url, multipart([{ name: 'userfile', filename: 'too-big.bin', content: big }]));
    const a = sessionAnswer(answer.text);
    assert.equal(a.status, 'fail', answer.text);
    assert.equal(a.reason, 'The server has no storage space left; please try again later');
    await assertNoUploadLeftovers(server);
    assert.equal(await server.ctx.db.selectFrom('files').select('id').executeTakeFirst(), undefined, 'no row');
    const user = await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.equal(Number(user.diskspace_used), 0, 'nothing charged');

    // The space came back with the temporary file: the next upload and API calls work.
    const next = await uploadInfo(u.client);
    const ok = sessionAnswer((await send(next.url, multipart([{ name: 'userfile', filename: 'small.txt', content: 'fits' }]))).text);
    assert.equal(ok.status, 'ok');
    const listed = await u.client.call('folders.getContents', { folder_id: '0' });
    assert.equal(listed.status, 'ok', listed.xml);
  });
});
