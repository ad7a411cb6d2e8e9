// Resumption with the official tus-js-client against the real server on loopback: a
// 200 MB file whose connection is cut at 20 random points arrives byte for byte; an
// upload stopped and started again by a new client (as after a page reload or a second
// `sbay upload` run) continues from the server's offset; and a second server instance
// sharing the database and data folder (another node) continues an upload the first
// one began.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import { startTestServer, testDatabases, type TestServer } from '../testing/test-server.js';
import { uploadInfo } from '../testing/upload-kit.js';
import { startCuttingProxy } from './cutting-proxy.js';
import { clientUpload, tusRequest } from './tus-test-kit.js';

const MB = 1024 * 1024;

async function randomFile(dir: string, size: number): Promise<{ path: string; sha256: string }> {
  const path = join(dir, `source-${size}`);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = size; left > 0;) {
    const chunk = randomBytes(Math.min(left, 4 * MB));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    left -= chunk.length;
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
  return { path, sha256: hash.digest('hex') };
}

describe('tus resumption with tus-js-client', () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'sendbay-tus-'));
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const ticket = async () => (await uploadInfo((await server.userClient({ plan: 'max' })).client)).extra_info as string;
  const blobSha = async (on: TestServer, fileId: string) => {
    const row = await on.ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirstOrThrow();
    const hash = createHash('sha256');
    for await (const c of await on.ctx.blobs.get(row.blob_key)) hash.update(c as Buffer);
    return { stored: hash.digest('hex'), row };
  };

  it('gets 200 MB byte for byte through 20 connections cut at random points', async () => {
    const size = 200 * MB;
    const source = await randomFile(dir, size);
    const cutPoints = Array.from({ length: 20 }, () => randomInt(1, size));
    // The server hands out upload URLs on the proxy, so every request of the upload goes through it.
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: 0 }, cutPoints);
    const behind = await startTestServer({ env: { SENDBAY_PUBLIC_URL: proxy.url } });
    proxy.target.port = Number(new URL(behind.url).port);
    try {
      const done = await clientUpload(
        `${proxy.url}/tus/`,
        { path: source.path },
        { ticket: (await uploadInfo((await behind.userClient({ plan: 'max' })).client)).extra_info as string, filename: 'big.bin' },
        { retryDelays: Array.from({ length: 10 }, () => 20), chunkSize: Infinity },
      );
      assert.equal(proxy.cuts, 20, 'every cut point was crossed');
      assert.ok(done.fileId);
      const { stored, row } = await blobSha(behind, done.fileId);
      assert.equal(row.size, size);
      assert.equal(row.sha256, source.sha256);
      assert.equal(stored, source.sha256, 'the stored bytes are the sent bytes');
    } finally {
      await proxy.close();
      await behind.stop();
    }
  });

  it('continues an upload a new client starts again with the upload URL it kept', async () => {
    const source = await randomFile(dir, 8 * MB);
    const t = await ticket();
    // The first client sends part of the file in 1 MiB chunks, then goes away.
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(createReadStream(source.path) as never, {
        endpoint: `${server.url}/tus/`,
        metadata: { ticket: t, filename: 'again.bin' },
        chunkSize: MB,
        onError: reject,
        onChunkComplete: (_chunk, sent) => {
          if (sent >= 3 * MB) {
            void upload.abort();
            resolve(upload.url as string);
          }
        },
      });
      upload.start();
    });
    const head = await tusRequest(url, 'HEAD');
    const offset = Number(head.headers.get('upload-offset'));
    assert.ok(offset >= 3 * MB && offset < 8 * MB, `stopped part way (${offset})`);
    const done = await clientUpload(
      `${server.url}/tus/`,
      { path: source.path },
      { ticket: t, filename: 'again.bin' },
      { uploadUrl: url, chunkSize: MB },
    );
    assert.equal(done.url, url, 'the same upload was continued');
    assert.ok(done.fileId);
    assert.equal((await blobSha(server, done.fileId)).stored, source.sha256);
  });

  for (const database of testDatabases) {
    it(`lets another node (a second server on the same ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database and the same data folder or bucket) continue the upload`, async () => {
      const first = database === 'sqlite' ? server : await startTestServer({ database });
      // On S3 the nodes share the bucket and each has its own data folder, unless the
      // database itself (SQLite) lives there; on disk they share the data folder.
      const shared: Record<string, string> = { ...first.bucket?.env };
      if (first.config.database.kind === 'postgres') shared.SENDBAY_DATABASE_URL = first.config.database.url;
      if (!first.bucket || first.config.database.kind === 'sqlite') shared.SENDBAY_DATA_DIR = first.dataDir;
      const other = await startTestServer({ env: shared });
      try {
        const source = await randomFile(dir, 4 * MB);
        const t = (await uploadInfo((await first.userClient({ plan: 'max' })).client)).extra_info as string;
        const url = await new Promise<string>((resolve, reject) => {
          const upload = new tus.Upload(createReadStream(source.path) as never, {
            endpoint: `${first.url}/tus/`,
            metadata: { ticket: t, filename: 'moved.bin' },
            chunkSize: MB,
            onError: reject,
            onChunkComplete: (_c, sent) => {
              if (sent >= MB) {
                void upload.abort();
                resolve(upload.url as string);
              }
            },
          });
          upload.start();
        });
        const onOther = url.replace(first.url, other.url);
        const done = await clientUpload(
          `${other.url}/tus/`,
          { path: source.path },
          { ticket: t, filename: 'moved.bin' },
          { uploadUrl: onOther, chunkSize: MB },
        );
        assert.ok(done.fileId);
        assert.equal((await blobSha(first, done.fileId)).stored, source.sha256);
        // The first node sees the finished upload too.
        assert.equal((await tusRequest(url, 'HEAD')).headers.get('sendbay-file-id'), done.fileId);
      } finally {
        await other.stop();
        if (first !== server) await first.stop();
      }
    });
  }
});
