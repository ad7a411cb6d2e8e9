/** Uploads and downloads through the SDK against the real server: sources, progress, resume, checksums. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { SendbayClient } from './client.js';
import { SendbayApiError, SendbayTransferError } from './errors.js';
import { downloadToFile, downloadToStream, fileFromPath, nodeHttpTransport } from './node.js';
import type { TransferProgress } from './upload/progress.js';
import { upload } from './upload/upload.js';
import type { ProgressSnapshot } from '@sendbay/protocol';

describe('SDK transfers', () => {
  let server: TestServer;
  let client: SendbayClient;
  let dir: string;
  const big = randomBytes(6 * 1024 * 1024 + 123);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  before(async () => {
    server = await startTestServer();
    const u = await server.userClient();
    client = new SendbayClient(server.url);
    await client.login(u.email, u.password);
    dir = await mkdtemp(join(tmpdir(), 'sbay-sdk-'));
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a path, a Node stream, a Buffer and a Blob in one form, with progress per file and in all', async () => {
    const path = join(dir, 'big.bin');
    await writeFile(path, big);
    const events: TransferProgress[] = [];
    const server: ProgressSnapshot[] = [];
    const files = [
      await fileFromPath(path, { description: 'from disk' }),
      { name: 'stream.txt', body: Readable.from([Buffer.from('from a '), Buffer.from('stream')]), size: 13 },
      { name: 'buffer.txt', body: Buffer.from('from a buffer') },
      { name: 'blob.txt', body: new Blob(['from a blob']) },
    ];
    const out = await upload(client, files, {
      onProgress: (p) => events.push(p),
      onServerProgress: (p) => server.push(p),
      serverProgressIntervalMs: 5,
    });
    assert.deepEqual(
      out.map((f) => f.name),
      ['big.bin', 'stream.txt', 'buffer.txt', 'blob.txt'],
    );
    assert.equal(out[0]?.record?.description, 'from disk');
    assert.equal(out[0]?.record?.fileSize, big.length);
    const last = events[events.length - 1]!;
    const total = big.length + 13 + 13 + 11;
    assert.equal(last.bytes, total);
    assert.equal(last.total, total);
    assert.equal(last.eta, 0);
    assert.ok(events.every((e) => e.speed >= 0));
    assert.ok(events.some((e) => e.file === 0 && e.fileBytes === big.length && e.fileSize === big.length));
    for (const f of out) assert.match(f.downloadUrl, /\/file\/[a-z0-9]{6}$/);
    const got = await client.files.getInfo(out.map((f) => f.fileId));
    assert.equal(got.items.length, 4);
    assert.ok(
      server.every((p) => p.uploadedBytes <= p.totalSize),
      'the progress URL was read and parsed',
    );
  });

  it('the node:http transport uploads the same form, and reports a refusal as the server words it', async () => {
    const path = join(dir, 'node-http.bin');
    await writeFile(path, big);
    let last: TransferProgress | undefined;
    const [up] = await upload(client, [await fileFromPath(path), { name: 'two.txt', body: Buffer.from('two') }].slice(0, 1), {
      transport: nodeHttpTransport,
      onProgress: (p) => (last = p),
    });
    assert.equal(up!.record?.fileSize, big.length);
    assert.equal(last?.bytes, big.length);
    const two = await upload(
      client,
      [
        { name: 'a.txt', body: Buffer.from('a') },
        { name: 'b.txt', body: Readable.from([Buffer.from('bb')]), size: 2 },
      ],
      {
        transport: nodeHttpTransport,
      },
    );
    assert.deepEqual(
      two.map((f) => f.record?.fileSize),
      [1, 2],
    );
    const refused = await upload(client, [await fileFromPath(path)], { transport: nodeHttpTransport, folderId: 'zzzzzz' }).catch(
      (e: unknown) => e,
    );
    assert.ok(refused instanceof SendbayTransferError);
    assert.match(refused.message, /Folder not found/);
  });

  it('a cut download resumes with Range to identical bytes, checked against the ETag', async () => {
    const [up] = await upload(client, [{ name: 'resume.bin', body: big }]);
    const target = join(dir, 'resume.bin');
    const stop = new AbortController();
    const cut = await downloadToFile(client, up!.fileId, target, {
      signal: stop.signal,
      onProgress: (p) => {
        if (p.bytes >= 1024 * 1024) stop.abort(new Error('cut'));
      },
    }).catch((e: unknown) => e);
    assert.ok(cut instanceof Error);
    const partial = (await stat(target)).size;
    assert.ok(partial > 0 && partial < big.length, `partial file of ${partial} bytes`);
    const r = await downloadToFile(client, up!.fileId, target);
    assert.equal(r.resumedFrom, partial);
    assert.equal(r.bytes, big.length);
    assert.equal(r.verified, true);
    assert.equal(r.sha256, sha(big));
    assert.ok((await readFile(target)).equals(big));
    const again = await downloadToFile(client, up!.fileId, target);
    assert.equal(again.resumedFrom, big.length, 'a whole file is not fetched again');
    assert.equal(again.verified, true);
  });

  it('a corrupt partial file fails the SHA-256 check', async () => {
    const [up] = await upload(client, [{ name: 'bad.bin', body: big }]);
    const target = join(dir, 'bad.bin');
    const wrong = Buffer.from(big.subarray(0, 4096));
    wrong[10] = wrong[10]! ^ 0xff;
    await writeFile(target, wrong);
    const err = await downloadToFile(client, up!.fileId, target).catch((e: unknown) => e);
    assert.ok(err instanceof SendbayTransferError);
    assert.equal(err.kind, 'checksum');
  });

  it('without verify the bytes are written unhashed, and the result says nothing was checked', async () => {
    const [up] = await upload(client, [{ name: 'unchecked.bin', body: big }]);
    const target = join(dir, 'unchecked.bin');
    const r = await downloadToFile(client, up!.fileId, target, { verify: false });
    assert.equal(r.verified, false);
    assert.equal(r.sha256, undefined);
    assert.ok((await readFile(target)).equals(big));
  });

  it('a download to a place it cannot write fails with the path named', async () => {
    const [up] = await upload(client, [{ name: 'nowhere.txt', body: Buffer.from('bytes') }]);
    const target = join(dir, 'no-such-folder', 'nowhere.txt');
    const err = await downloadToFile(client, up!.fileId, target).catch((e: unknown) => e);
    assert.ok(err instanceof SendbayTransferError);
    assert.match(err.message, /no-such-folder.*ENOENT/);
  });

  it('a longer local file is downloaded afresh and cut to size', async () => {
    const [up] = await upload(client, [{ name: 'short.txt', body: Buffer.from('short') }]);
    const target = join(dir, 'short.txt');
    await writeFile(target, 'much longer than the file');
    const r = await downloadToFile(client, up!.fileId, target);
    assert.equal(r.resumedFrom, 0);
    assert.equal(await readFile(target, 'utf8'), 'short');
  });

  it('downloads to a stream and, without a session, from the download page or a direct link', async () => {
    const [up] = await upload(client, [{ name: 'page.txt', body: Buffer.from('page bytes') }]);
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
    const r = await downloadToStream(client, up!.fileId, sink);
    assert.equal(Buffer.concat(chunks).toString(), 'page bytes');
    assert.equal(r.verified, true);
    const anon = new SendbayClient(server.url);
    const viaPage = join(dir, 'via-page.txt');
    await downloadToFile(anon, up!.downloadUrl, viaPage);
    assert.equal(await readFile(viaPage, 'utf8'), 'page bytes');
    const direct = (await client.download.getInfo(up!.fileId)).url;
    const viaDirect = join(dir, 'via-direct.txt');
    assert.equal((await downloadToFile(anon, direct, viaDirect)).verified, true);
    await truncate(viaDirect, 3);
    assert.equal((await downloadToFile(anon, direct, viaDirect)).resumedFrom, 3);
    assert.equal(await readFile(viaDirect, 'utf8'), 'page bytes');
  });

  it('anonymous upload, then its delete link removes it', async () => {
    const anon = new SendbayClient(server.url);
    const [up] = await upload(anon, [{ name: 'anon.bin', body: new Blob([big.subarray(0, 1000)]) }], { anonymous: true });
    assert.ok(up!.deleteUrl);
    const page = join(dir, 'anon.bin');
    await downloadToFile(anon, up!.downloadUrl, page);
    assert.ok((await readFile(page)).equals(big.subarray(0, 1000)));
    const res = await fetch(up!.deleteUrl!, { method: 'POST' });
    assert.equal(res.status, 200);
    await res.text();
    const err = await client.download.getInfo(up!.fileId).catch((e: unknown) => e);
    assert.ok(err instanceof SendbayApiError);
    assert.equal(err.code, 9);
  });

  it('upload options: folder, password, limits applied after the upload', async () => {
    const folder = await client.folders.create({ name: 'Up' });
    const [up] = await upload(client, [{ name: 'opts.txt', body: Buffer.from('x') }], {
      folderId: folder.id,
      password: 'secret',
      timeLimit: 3600,
      downloadLimit: 2,
      limitAction: 1,
    });
    assert.equal(up!.record?.folderId, folder.id);
    assert.equal(up!.record?.password, 'secret');
    assert.equal(up!.record?.downloadLimit, 2);
    assert.equal(up!.record?.limitAction, 1);
    assert.ok(up!.record!.timeLimit > 3500 && up!.record!.timeLimit <= 3600);
  });
});
