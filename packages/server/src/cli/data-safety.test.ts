// Data safety over the real server: an online backup, restored into an empty folder,
// serves identical bytes; fsck finds each kind of injected damage (a flipped byte, a
// missing blob, a stray blob, drifted usage) and --repair fixes what it safely can.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { diskBlobPath } from '../blobs/disk-store.js';
import { startTestServer, testDatabases, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';
import { main } from './main.js';

const SECRET = 'test-secret-0123456789abcdef';

async function cli(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function uploadAll(server: TestServer, files: Record<string, Buffer>) {
  const u = await server.userClient({ password: 'pw-backup' });
  const ids: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const info = await uploadInfo(u.client);
    const a = sessionAnswer((await send(info.url, multipart([{ name: 'userfile', filename: name, content }]))).text);
    assert.equal(a.status, 'ok');
    ids[name] = a.fileIds[0]!;
  }
  return { user: u, ids };
}

async function download(server: TestServer, fileId: string): Promise<Buffer> {
  const f = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirstOrThrow();
  const res = await fetch(server.ctx.links.direct(f.id, f.delete_salt, f.name, 0));
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

describe('sendbay backup and restore', () => {
  let root: string;
  let server: TestServer;
  const files = { 'small.txt': Buffer.from('small file\n'), 'big.bin': randomBytes(1024 * 1024 + 7), 'empty.dat': Buffer.alloc(0) };
  let ids: Record<string, string>;
  let email: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sendbay-backup-'));
    server = await startTestServer({ env: { SENDBAY_DATA_DIR: join(root, 'live') } });
    ({
      ids,
      user: { email },
    } = await uploadAll(server, files));
  });
  after(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  const envFor = (dir: string) => ({ SENDBAY_DATA_DIR: dir, SENDBAY_SECRET: SECRET, SENDBAY_LOG_LEVEL: 'silent' });

  it('backs up while the server runs, and the restore serves identical bytes', async () => {
    const dir = join(root, 'backup-1');
    const b = await cli(envFor(join(root, 'live')), 'backup', dir);
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /3 file\(s\), 1048594 bytes/);
    // The live server keeps working while and after the backup is taken.
    assert.deepEqual(await download(server, ids['big.bin']!), files['big.bin']);

    const target = join(root, 'restored');
    const r = await cli(envFor(target), 'restore', dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /no problems$/);

    const restored = await startTestServer({ env: { SENDBAY_DATA_DIR: target } });
    try {
      for (const [name, content] of Object.entries(files)) assert.deepEqual(await download(restored, ids[name]!), content, name);
      assert.equal((await restored.client().login(email, 'pw-backup')).status, 'ok', 'accounts come back too');
    } finally {
      await restored.stop();
    }
  });

  it('--link hard-links the blobs; a backup or restore into a folder that is not empty is refused', async () => {
    const dir = join(root, 'backup-linked');
    assert.equal((await cli(envFor(join(root, 'live')), 'backup', dir, '--link')).code, 0);
    const again = await cli(envFor(join(root, 'live')), 'backup', dir);
    assert.equal(again.code, 1);
    assert.match(again.err, /the backup folder .* is not empty/);
    const busy = join(root, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'something'), 'x');
    const r = await cli(envFor(busy), 'restore', dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /the data folder .*busy is not empty/);
    const notBackup = await cli(envFor(join(root, 'fresh')), 'restore', busy);
    assert.equal(notBackup.code, 1);
    assert.match(notBackup.err, /is not a Sendbay backup/);
  });

  it('with PostgreSQL it prints the procedure instead of pretending', async () => {
    const r = await cli(
      { ...envFor(join(root, 'live')), SENDBAY_DATABASE_URL: 'postgres://u:p@127.0.0.1:9/x' },
      'backup',
      join(root, 'b-pg'),
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /pg_dump --format=custom/);
    assert.equal(existsSync(join(root, 'b-pg')), false);
  });
});

for (const database of testDatabases) {
  describe(`sendbay fsck (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let env: Record<string, string>;

    before(async () => {
      server = await startTestServer({ database });
      env = { SENDBAY_DATA_DIR: server.dataDir, SENDBAY_SECRET: SECRET, SENDBAY_LOG_LEVEL: 'silent' };
      if (server.config.database.kind === 'postgres') env.SENDBAY_DATABASE_URL = server.config.database.url;
    });
    after(() => server.stop());

    const blobOf = async (fileId: string) => {
      const f = await server.ctx.db.selectFrom('files').select('blob_key').where('id', '=', fileId).executeTakeFirstOrThrow();
      return diskBlobPath(join(server.dataDir, 'blobs'), f.blob_key);
    };

    it('finds a flipped byte, a missing blob, a stray blob and drifted usage; --repair fixes the last two', async () => {
      const { user, ids } = await uploadAll(server, {
        'flip.bin': randomBytes(4096),
        'lost.bin': randomBytes(100),
        'fine.txt': Buffer.from('untouched'),
      });
      const clean = await cli(env, 'fsck');
      assert.equal(clean.code, 0, clean.out);
      assert.match(clean.out, /3 file\(s\), 4205 bytes, 3 blob\(s\) checked \(sizes and SHA-256\): no problems/);

      // The damage: one byte flipped in place (same size), one blob deleted, one stray
      // blob left from long ago, and the account's usage figure off by 1000.
      const flipped = await blobOf(ids['flip.bin']!);
      const fh = await open(flipped, 'r+');
      const one = Buffer.alloc(1);
      await fh.read(one, 0, 1, 2000);
      one[0] = one[0]! ^ 0xff;
      await fh.write(one, 0, 1, 2000);
      await fh.close();
      await unlink(await blobOf(ids['lost.bin']!));
      const strayKey = `stray${randomBytes(8).toString('hex')}`;
      const stray = diskBlobPath(join(server.dataDir, 'blobs'), strayKey);
      await mkdir(join(stray, '..'), { recursive: true });
      await writeFile(stray, 'left behind by a crash');
      const longAgo = new Date(Date.now() - 2 * 86_400_000);
      await utimes(stray, longAgo, longAgo);
      await sql`update users set diskspace_used = diskspace_used + 1000 where id = ${user.id}`.execute(server.ctx.db);

      const r = await cli(env, 'fsck');
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`^hash-mismatch: file ${ids['flip.bin']}: blob \\S+ is damaged`, 'm'));
      assert.match(r.out, new RegExp(`^missing-blob: file ${ids['lost.bin']}: its blob \\S+ is missing$`, 'm'));
      assert.match(r.out, new RegExp(`^stray-blob: blob ${strayKey} \\(22 bytes\\) belongs to no file$`, 'm'));
      assert.match(r.out, new RegExp(`^usage-drift: account ${user.email}: disk usage recorded as 5205 bytes, its files hold 4205$`, 'm'));
      assert.match(r.out, /4 problem\(s\), 4 not repaired$/);
      assert.doesNotMatch(r.out, /fine\.txt|file \S+ \(fine/);

      const sizesOnly = await cli(env, 'fsck', '--no-hashes');
      assert.doesNotMatch(sizesOnly.out, /hash-mismatch/);

      const repaired = await cli(env, 'fsck', '--repair');
      assert.equal(repaired.code, 1, 'the damaged and the missing blob cannot be repaired');
      assert.match(repaired.out, /stray-blob: .* \(repaired\)/);
      assert.match(repaired.out, /usage-drift: .* \(repaired\)/);
      assert.match(repaired.out, /4 problem\(s\), 2 not repaired$/);
      assert.equal(existsSync(stray), false);
      const used = await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.equal(Number(used.diskspace_used), 4205);

      const after = await cli(env, 'fsck');
      assert.equal((after.out.match(/^\S+: /gm) ?? []).length, 2, after.out);
      assert.ok((await readFile(await blobOf(ids['fine.txt']!))).equals(Buffer.from('untouched')));
    });

    it('leaves a young unreferenced blob alone (an upload may be in flight)', async () => {
      const key = `young${randomBytes(8).toString('hex')}`;
      const p = diskBlobPath(join(server.dataDir, 'blobs'), key);
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, 'in flight');
      const r = await cli(env, 'fsck', '--repair', '--no-hashes');
      assert.match(r.out, /note: 1 unreferenced blob\(s\) younger than SENDBAY_ORPHAN_GRACE left alone/);
      assert.ok(existsSync(p));
      await unlink(p);
    });
  });
}
