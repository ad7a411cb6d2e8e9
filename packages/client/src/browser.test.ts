// The SDK in a real browser: the main entry bundled by esbuild for the browser (no Node
// built-in may come along), loaded by a page on another loopback origin (127.0.0.2),
// talking to the real server on 127.0.0.1 through CORS. Login, typed results and
// errors, a form upload of page-made Files with server progress, a tus upload of a
// Blob, and a download checked with crypto.subtle against the source and the ETag.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { browserMissing, launchBrowser, type TestBrowser } from '../../server/src/testing/browser.js';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import type * as Sdk from './index.js';

/** What the test page puts on `window`: the bundled SDK and two helpers written for the page. */
interface PageGlobals {
  sdk: typeof Sdk;
  client: Sdk.SendbayClient;
  makeBlob(size: number, seed: number): Blob;
  sha256Hex(data: BufferSource): Promise<string>;
}

const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SDK in a page</title></head><body>
<script type="module">
import * as sdk from '/sdk.js';
window.sdk = sdk;
// Bytes made in the page, the same for the same seed, so that a source can be made again.
window.makeBlob = (size, seed) => {
  const b = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24; }
  return new Blob([b], { type: 'application/octet-stream' });
};
window.sha256Hex = async (data) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((v) => v.toString(16).padStart(2, '0')).join('');
window.sdkReady = true;
</script></body></html>`;

const entry = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** The entry as a browser app would bundle it; throws when it pulls in something only Node has. */
function bundleForBrowser(file: string) {
  return esbuild.build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['sendbay-source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

/** A static site on its own loopback address: the page and the bundle, nothing else. */
async function startPageOrigin(bundle: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    // A 404 for the icon would be a console error, which the last test counts.
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`, server };
}

describe('the SDK in Chromium, from a page on another origin', { skip: browserMissing }, () => {
  let server: TestServer;
  let site: { url: string; server: Server };
  let browser: TestBrowser;
  let page: Page;
  let user: { email: string; password: string };
  /** Every request from the browser that reached the server, with its Origin header. */
  const apiRequests: { url: string; origin: string | null }[] = [];

  before(async () => {
    server = await startTestServer();
    // Read where the requests arrive, not in the browser: the browser's own record of a
    // request's headers is missing for one it aborted (the last progress poll) or answered
    // from its cache (a repeated /dl/ read), and those never reach the server anyway.
    server.app.server.on('request', (req: IncomingMessage) => {
      if (!/Chrome/.test(req.headers['user-agent'] ?? '')) return; // the test's own calls come from Node
      apiRequests.push({ url: new URL(req.url ?? '/', server.url).href, origin: req.headers.origin ?? null });
    });
    user = await server.userClient();
    const built = await bundleForBrowser(entry('./index.ts'));
    site = await startPageOrigin(built.outputFiles[0]!.text);
    browser = await launchBrowser();
    page = await browser.page();
    // tsx compiles this file with keepNames, so functions handed to page.evaluate call
    // esbuild's __name helper, which only exists in Node: give the page a no-op one.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
  });
  after(async () => {
    await browser?.close();
    if (site) await new Promise((resolve) => site.server.close(resolve));
    await server?.stop();
  });

  it('bundles the main entry for browsers without any Node built-in; the Node entry would not bundle', async () => {
    const built = await bundleForBrowser(entry('./index.ts'));
    const inputs = Object.keys(built.metafile.inputs);
    assert.ok(
      inputs.some((i) => i.includes('protocol/src/')),
      'the protocol package is bundled in',
    );
    assert.deepEqual(
      inputs.filter((i) => i.startsWith('node:') || /node-(tus-)?http|\/node\.ts$/.test(i)),
      [],
    );
    await assert.rejects(bundleForBrowser(entry('./node.ts')), /node:/, 'the check tells a Node-only entry');
  });

  it('logs in with the token exchange, checks the session and gets typed records and a typed error', async () => {
    const r = await page.evaluate(
      async ({ api, email, password }) => {
        const g = window as unknown as PageGlobals;
        const client = new g.sdk.SendbayClient(api);
        g.client = client;
        const session = await client.login(email, password);
        const check = await client.auth.checkSession();
        const folder = await client.folders.create({ name: 'made in a browser' });
        const root = await client.folders.getContents('0');
        const info = await client.folders.getInfo(folder.id);
        let wrong: unknown;
        try {
          await new g.sdk.SendbayClient(api).login(email, 'not the password');
        } catch (err) {
          wrong = err;
        }
        return {
          email: session.email,
          keyLength: session.sessionKey.length,
          session: check.session,
          diskspaceLeft: check.diskspaceLeft,
          folderName: folder.name,
          folderInRoot: root.folders.some((f) => f.id === folder.id && f.name === 'made in a browser'),
          info: [info.name, info.parentFolderId, info.totals?.files],
          wrongIsApiError: wrong instanceof g.sdk.SendbayApiError,
          wrong: wrong instanceof g.sdk.SendbayApiError ? [wrong.code, wrong.specName, wrong.method] : String(wrong),
        };
      },
      { api: server.url, email: user.email, password: user.password },
    );
    assert.equal(r.email, user.email);
    assert.ok(r.keyLength > 10, 'a session key');
    assert.equal(r.session, 'ok');
    assert.ok(r.diskspaceLeft > 0);
    assert.equal(r.folderName, 'made in a browser');
    assert.ok(r.folderInRoot, 'the new folder is listed in the root');
    assert.deepEqual(r.info, ['made in a browser', '0', 0]);
    assert.ok(r.wrongIsApiError, `a wrong password throws SendbayApiError: ${JSON.stringify(r.wrong)}`);
    assert.deepEqual(r.wrong, [8, 'API_ERROR_AUTHENTICATION_FAILURE', 'auth.login']);
  });

  it('uploads two Files made in the page in one form, with the server’s progress seen in the page, and lists them', async () => {
    // A slow line (2 MB/s up), so that the upload lasts long enough to be watched.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2 * 1024 * 1024,
    });
    const size = 4 * 1024 * 1024 + 17;
    let r;
    try {
      r = await page.evaluate(async (size) => {
        const g = window as unknown as PageGlobals;
        const big = new File([g.makeBlob(size, 1)], 'page-made.bin');
        const small = new File(['notes from the page'], 'notes.txt', { type: 'text/plain' });
        const seen: number[] = [];
        const done = await g.sdk.upload(
          g.client,
          [
            { name: big.name, body: big },
            { name: small.name, body: small, type: small.type },
          ],
          { onServerProgress: (p) => seen.push(p.uploadedBytes), serverProgressIntervalMs: 100 },
        );
        const root = await g.client.folders.getContents('0');
        return {
          uploaded: done.map((f) => [f.name, f.record?.fileSize, f.downloadUrl !== '']),
          listed: root.files.map((f) => [f.name, f.fileSize]),
          seen,
        };
      }, size);
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    }
    assert.deepEqual(r.uploaded, [
      ['page-made.bin', size, true],
      ['notes.txt', 19, true],
    ]);
    assert.deepEqual(r.listed.filter(([n]) => n === 'page-made.bin' || n === 'notes.txt').sort(), [
      ['notes.txt', 19],
      ['page-made.bin', size],
    ]);
    const moving = r.seen.filter((b) => b > 0 && b < size);
    assert.ok(moving.length >= 2, `progress between the start and the end: ${r.seen.join(',')}`);
    for (let i = 1; i < r.seen.length; i++) assert.ok(r.seen[i]! >= r.seen[i - 1]!, 'progress never goes back');
  });

  it('uploads anonymously from the page, without a session, and gets the delete link', async () => {
    const r = await page.evaluate(async (api) => {
      const g = window as unknown as PageGlobals;
      const stranger = new g.sdk.SendbayClient(api);
      const [done] = await g.sdk.upload(stranger, [{ name: 'anonymous.txt', body: new Blob(['left by a visitor']) }], { anonymous: true });
      return { hasSession: stranger.sessionKey !== undefined, done };
    }, server.url);
    assert.equal(r.hasSession, false);
    assert.equal(r.done?.name, 'anonymous.txt');
    assert.match(r.done?.downloadUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/file\//);
    assert.match(r.done?.deleteUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/delete\//);
  });

  it('uploads a Blob over tus in chunks with rising progress, and the file is there', async () => {
    const size = 5 * 1024 * 1024 + 3;
    const r = await page.evaluate(async (size) => {
      const g = window as unknown as PageGlobals;
      const sent: number[] = [];
      const urls: string[] = [];
      const done = await g.sdk.resumableUpload(
        g.client,
        { name: 'resumable.bin', body: g.makeBlob(size, 2) },
        { chunkSize: 1024 * 1024, onProgress: (p) => sent.push(p.bytes), onUploadUrl: (u) => void urls.push(u) },
      );
      const info = await g.client.files.getInfo([done.fileId, 'zzzzzz']);
      return {
        urls,
        sent,
        resumedFrom: done.resumedFrom,
        file: info.items.map((f) => [f.name, f.fileSize]),
        missing: info.errors.map((e) => [e.code, e.name, e.ids.join()]),
      };
    }, size);
    assert.equal(r.urls.length, 1);
    assert.match(r.urls[0]!, /\/tus\/[\w-]+$/);
    assert.deepEqual(r.file, [['resumable.bin', size]]);
    assert.deepEqual(r.missing, [[9, 'API_ERROR_FILE_NOT_FOUND', 'zzzzzz']], 'a list call returns its per-id errors');
    assert.equal(r.resumedFrom, 0);
    assert.ok(r.sent.length >= 5, `progress per chunk: ${r.sent.join(',')}`);
    assert.equal(r.sent.at(-1), size);
    for (let i = 1; i < r.sent.length; i++) assert.ok(r.sent[i]! >= r.sent[i - 1]!, 'progress never goes back');
  });

  it('downloads through the SDK: the bytes’ SHA-256 is the source’s and the ETag’s, and a resume from an offset matches too', async () => {
    const r = await page.evaluate(async () => {
      const g = window as unknown as PageGlobals;
      const listed = await g.client.folders.getContents('0');
      const file = listed.files.find((f) => f.name === 'resumable.bin')!;
      const target = await g.sdk.resolveDownload(g.client, file.id);
      const whole = await g.sdk.openDownload(g.client, target.url);
      const bytes = await new Response(whole.body).arrayBuffer();
      const source = await g.makeBlob(file.fileSize, 2).arrayBuffer();
      const tail = await g.sdk.openDownload(g.client, target.url, { offset: 1_000_000 });
      const tailBytes = await new Response(tail.body).arrayBuffer();
      return {
        name: target.name,
        length: bytes.byteLength,
        size: file.fileSize,
        got: await g.sha256Hex(bytes),
        source: await g.sha256Hex(source),
        etag: whole.sha256,
        tail: {
          start: tail.start,
          size: tail.size,
          sha: await g.sha256Hex(tailBytes),
          expected: await g.sha256Hex(source.slice(1_000_000)),
        },
      };
    });
    assert.equal(r.name, 'resumable.bin');
    assert.equal(r.length, r.size);
    assert.equal(r.got, r.source, 'the downloaded bytes are the uploaded ones');
    assert.equal(r.etag, r.source, 'the ETag names the same SHA-256');
    assert.deepEqual(r.tail, { start: 1_000_000, size: r.size, sha: r.tail.expected, expected: r.tail.expected });
  });

  // Cookies need no check of their own here: Chromium sends none cross-site (the
  // server's are SameSite=Lax, and a Secure one cannot be set over http). What could
  // break is the server allowing credentials, which the last read below would show.
  it('talked to the API, the upload form, tus and /dl/ cross-origin, and reads with credentials are refused', async () => {
    for (const path of ['/rest/', '/upload', '/tus/', '/dl/'])
      assert.ok(
        apiRequests.some((q) => new URL(q.url).pathname.startsWith(path)),
        `the page called ${path}: ${apiRequests.map((q) => q.url).join(' ')}`,
      );
    for (const q of apiRequests) assert.equal(q.origin, site.url, `${q.url} came from the page's origin`);
    const before = browser.problems.length;
    const r = await page.evaluate(async (api) => {
      const url = `${api}/rest/?method=auth.createToken&api_key=k&api_version=1.2`;
      const plain = await fetch(url).then(
        (res) => res.text(),
        (err: Error) => err.name,
      );
      const credentialed = await fetch(url, { credentials: 'include' }).then(
        (res) => res.text(),
        (err: Error) => err.name,
      );
      return { plain, credentialed };
    }, server.url);
    assert.match(r.plain, /<token>/, 'a plain cross-origin read works');
    assert.equal(r.credentialed, 'TypeError', 'a read with credentials is blocked by the browser');
    // The browser says why on the console; that one message is expected, nothing else is.
    const fresh = browser.problems.splice(before);
    assert.ok(
      fresh.every((p) => /CORS|ERR_FAILED/.test(p)),
      fresh.join('\n'),
    );
    assert.deepEqual(browser.problems, []);
  });
});
