/** The SDK's resumable (tus) upload against the real server on loopback: cuts, continuation, refusals. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startCuttingProxy, type CuttingProxy } from '../../server/src/tus/cutting-proxy.js';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { SendbayClient } from './client.js';
import { SendbayTransferError } from './errors.js';
import { fileFromPath, nodeTusHttp } from './node.js';
import type { TransferProgress } from './upload/progress.js';
import { resumableUpload, SendbayTusError } from './upload/resumable.js';
import { fetchTusHttp } from './upload/tus-http.js';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('SDK resumable upload (tus)', () => {
  let proxy: CuttingProxy;
  let server: TestServer;
  let client: SendbayClient;
  let dir: string;
  const body = randomBytes(9 * MB + 321);
  // Cut three times inside the body (beyond the creation request's few hundred bytes).
  const cuts = [2 * MB, 4 * MB + 17, 7 * MB];

  /** The bytes the server stored for a file, read back from its blob store. */
  const stored = async (fileId: string) => {
    const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirstOrThrow();
    const hash = createHash('sha256');
    for await (const c of await server.ctx.blobs.get(row.blob_key)) hash.update(c as Buffer);
    return { row, sha256: hash.digest('hex') };
  };

  before(async () => {
    // The server hands out upload URLs on the proxy, so every request goes through it.
    proxy = await startCuttingProxy({ host: '127.0.0.1', port: 0 }, cuts);
    server = await startTestServer({ env: { SENDBAY_PUBLIC_URL: proxy.url, SENDBAY_PLAN_LITE_MAX_FILE_SIZE: String(20 * MB) } });
    proxy.target.port = Number(new URL(server.url).port);
    const u = await server.userClient();
    client = new SendbayClient(proxy.url, { retry: { retries: 5, baseDelayMs: 20 } });
    await client.login(u.email, u.password);
    dir = await mkdtemp(join(tmpdir(), 'sbay-tus-sdk-'));
  });
  after(async () => {
    await server.stop();
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a file by path, cut three times mid-PATCH, arrives byte for byte, with progress to the last byte', async () => {
    const path = join(dir, 'cut.bin');
    await writeFile(path, body);
    const events: TransferProgress[] = [];
    const urls: string[] = [];
    const r = await resumableUpload(client, await fileFromPath(path, { description: 'cut thrice' }), {
      http: nodeTusHttp,
      chunkSize: 4 * MB,
      retryDelays: [10, 20, 40, 80],
      onUploadUrl: (u) => void urls.push(u),
      onProgress: (p) => events.push(p),
    });
    assert.equal(proxy.cuts, cuts.length, 'every cut point was crossed');
    assert.equal(urls.length, 1, 'one upload, continued after each cut');
    assert.equal(r.uploadUrl, urls[0]);
    assert.match(r.fileId, /^[a-z0-9]{6}$/);
    assert.match(r.downloadUrl, /\/file\/[a-z0-9]{6}$/);
    assert.ok(r.sent > body.length, `bytes cut off were sent again (${r.sent})`);
    const { row, sha256 } = await stored(r.fileId);
    assert.equal(row.size, body.length);
    assert.equal(row.sha256, sha(body));
    assert.equal(sha256, sha(body), 'the stored bytes are the sent bytes');
    assert.equal(row.description, 'cut thrice');
    const last = events[events.length - 1]!;
    assert.equal(last.bytes, body.length);
    assert.equal(last.total, body.length);
    const info = await client.files.getInfo(r.fileId);
    assert.equal(info.items[0]?.fileSize, body.length);
  });

  it('one long PATCH over node:http waits for the socket many times and leaves no listener behind', async () => {
    const big = randomBytes(18 * MB);
    const path = join(dir, 'long.bin');
    await writeFile(path, big);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const r = await resumableUpload(client, await fileFromPath(path), {
        http: nodeTusHttp,
        chunkSize: 32 * MB,
        retryDelays: [10, 20, 40],
      });
      assert.equal((await stored(r.fileId)).sha256, sha(big));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((w) => w.name),
      [],
      'no MaxListenersExceededWarning',
    );
  });

  it('a second call given the upload URL continues an upload stopped midway, sending only the rest', async () => {
    const stop = new AbortController();
    let url = '';
    await assert.rejects(
      resumableUpload(
        client,
        { name: 'buffer.bin', body },
        {
          chunkSize: MB,
          onUploadUrl: (u) => void (url = u),
          onProgress: (p) => {
            if (p.bytes >= 3 * MB) stop.abort(new Error('stopped by the test'));
          },
          signal: stop.signal,
        },
      ),
      /stopped by the test/,
    );
    const resumes: number[] = [];
    const events: TransferProgress[] = [];
    const r = await resumableUpload(
      client,
      { name: 'buffer.bin', body: new Blob([body]) },
      {
        http: fetchTusHttp(),
        uploadUrl: url,
        onResume: (offset) => resumes.push(offset),
        onProgress: (p) => events.push(p),
      },
    );
    assert.equal(r.uploadUrl, url);
    assert.ok(r.resumedFrom >= 2 * MB, `continued from the server's offset (${r.resumedFrom})`);
    assert.deepEqual(resumes, [r.resumedFrom]);
    // The stopped PATCH may still be landing on the server when the HEAD asks (the new
    // PATCH then meets 409/423, asks again and starts later still): never more than the rest.
    assert.ok(r.sent <= body.length - r.resumedFrom, `only the rest was sent (${r.sent})`);
    assert.equal(events[events.length - 1]?.bytes, body.length);
    assert.equal((await stored(r.fileId)).sha256, sha(body));
    // Once finished, the same URL names the same file and sends nothing.
    const again = await resumableUpload(client, { name: 'buffer.bin', body }, { uploadUrl: url });
    assert.deepEqual([again.fileId, again.sent], [r.fileId, 0]);
  });

  it('an upload URL the server does not know starts a new upload', async () => {
    const small = randomBytes(1000);
    const urls: string[] = [];
    const r = await resumableUpload(
      client,
      { name: 'fresh.bin', body: small },
      {
        uploadUrl: `${proxy.url}/tus/${'x'.repeat(32)}`,
        onUploadUrl: (u) => void urls.push(u),
      },
    );
    assert.equal(urls.length, 1);
    assert.equal(r.resumedFrom, 0);
    assert.equal((await stored(r.fileId)).sha256, sha(small));
  });

  it("refusals are clear errors with the server's reason: over the plan limit, a folder not there, a one-shot stream", async () => {
    const before = (await server.ctx.db.selectFrom('files').select('id').execute()).length;
    await assert.rejects(
      resumableUpload(client, { name: 'huge.bin', body: new Blob([new Uint8Array(21 * MB)]) }),
      (err: unknown) =>
        err instanceof SendbayTusError &&
        err.stage === 'creation' &&
        err.status === 413 &&
        /^upload creation answered HTTP 413: \S/.test(err.message),
    );
    await assert.rejects(
      resumableUpload(client, { name: 'lost.bin', body: Buffer.from('x') }, { folderId: 'zzzzzz', http: nodeTusHttp }),
      (err: unknown) => err instanceof SendbayTransferError && /creation answered HTTP 4\d\d: .*[Ff]older/.test(err.message),
    );
    await assert.rejects(
      resumableUpload(client, { name: 'once.txt', body: Readable.from([Buffer.from('abc')]), size: 3 }),
      /needs a source it can read again/,
    );
    assert.equal((await server.ctx.db.selectFrom('files').select('id').execute()).length, before, 'no file row');
  });
});
