// The upload page's resumable uploads in a real browser (Debian's Chromium): the page is
// served through a proxy that cuts connections (the server hands out upload URLs on the
// proxy, so every request of an upload passes it), and an upload cut mid-way, or
// interrupted by a page reload and picked again, continues from the server's offset
// instead of starting over, and arrives byte for byte.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { browserMissing, launchBrowser, type TestBrowser } from '../../testing/browser.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/upload-kit.js';
import { startCuttingProxy, type CuttingProxy } from '../../tus/cutting-proxy.js';

const MB = 1024 * 1024;

/** A server whose public address is a cutting proxy in front of it. */
async function behindProxy(cutPoints: number[]): Promise<{ proxy: CuttingProxy; server: TestServer }> {
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: 0 }, cutPoints);
  const server = await startTestServer({ env: { SENDBAY_PUBLIC_URL: proxy.url } });
  proxy.target.port = Number(new URL(server.url).port);
  return { proxy, server };
}

async function sha256Url(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return createHash('sha256')
    .update(Buffer.from(await res.arrayBuffer()))
    .digest('hex');
}

/** The download page's direct link, fetched, hashed. */
async function downloadedSha(page: Page, shareUrl: string): Promise<string> {
  const view = await page.context().newPage();
  await view.goto(shareUrl);
  const href = (await view.getAttribute('a#download_button', 'href')) as string;
  await view.close();
  return sha256Url(href);
}

/** Every tus request the page makes: method, and the offset a PATCH starts at. */
function tusRequests(page: Page): { method: string; offset: number }[] {
  const seen: { method: string; offset: number }[] = [];
  page.on('request', (r: Request) => {
    if (new URL(r.url()).pathname.startsWith('/tus/'))
      seen.push({ method: r.method(), offset: Number(r.headers()['upload-offset'] ?? -1) });
  });
  return seen;
}

const throttle = async (page: Page, bytesPerSecond: number) =>
  (await page.context().newCDPSession(page)).send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });

describe('resumable uploads from the upload page in Chromium', { skip: browserMissing }, () => {
  let browser: TestBrowser;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sendbay-resume-'));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes an anonymous upload whose connection is cut three times mid-way, with identical bytes', async () => {
    const size = 16 * MB;
    const bytes = randomBytes(size);
    const path = join(dir, 'cut.bin');
    await writeFile(path, bytes);
    const { proxy, server } = await behindProxy([2 * MB, 7 * MB, 12 * MB]);
    try {
      const page = await browser.page();
      const requests = tusRequests(page);
      await page.goto(`${proxy.url}/`);
      await page.setInputFiles('#f-files', path);
      await Promise.all([page.waitForURL(`${proxy.url}/upload/done`, { timeout: 60_000 }), page.click('#upload-submit')]);
      assert.equal(proxy.cuts, 3, 'every cut point was crossed');
      assert.equal(requests.filter((r) => r.method === 'POST').length, 1, 'one upload, created once');
      // A HEAD sent straight after a cut may still see the offset before it (the server has
      // not yet noticed the cut); the PATCH that follows is then refused and asked again.
      assert.ok(
        requests.some((r) => r.method === 'PATCH' && r.offset > 0),
        `a PATCH continued from the server's offset: ${JSON.stringify(requests)}`,
      );
      assert.equal(await page.locator('a.delete-url').count(), 1, 'the anonymous upload shows its delete link');
      const share = (await page.getAttribute('a.share-url', 'href')) as string;
      assert.equal(await downloadedSha(page, share), createHash('sha256').update(bytes).digest('hex'));
      assert.equal(await page.locator('svg.qr').count(), 1);
      await page.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it('continues after a reload when the same file is picked again, says so, and sends only the rest', async () => {
    const size = 8 * MB;
    const bytes = randomBytes(size);
    const path = join(dir, 'reload.bin');
    await writeFile(path, bytes);
    const { proxy, server } = await behindProxy([]);
    try {
      const u = await server.userClient();
      const page = await browser.page();
      await page.goto(`${proxy.url}/login`);
      await page.fill('#f-email', u.email);
      await page.fill('#f-password', u.password);
      await Promise.all([page.waitForURL(`${proxy.url}/`), page.click('main button[type=submit]')]);
      const requests = tusRequests(page);

      // A slow line, and a reload once about a third has gone.
      await throttle(page, 2 * MB);
      await page.setInputFiles('#f-files', path);
      await page.click('#upload-submit');
      await page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('#queue li progress')?.value ?? 0) > 30);
      await page.reload();
      const row = async () => server.ctx.db.selectFrom('tus_uploads').selectAll().where('owner_id', '=', u.id).executeTakeFirstOrThrow();
      // The server keeps what arrived before the cut (it notices the closed connection first).
      let kept = 0;
      for (let i = 0; i < 100 && kept === 0; i++) {
        kept = (await row()).upload_offset;
        if (kept === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(kept > 0 && kept < size, `part of the file was kept: ${kept}`);

      await page.setInputFiles('#f-files', path);
      await page.waitForSelector('#queue li .stats:has-text("Sent in part before")');
      const sawResumed = page.waitForFunction(() =>
        /Continued where it stopped/.test(document.querySelector('#queue li .stats')?.textContent ?? ''),
      );
      await page.click('#upload-submit');
      await sawResumed;
      await page.waitForURL(`${proxy.url}/upload/done`, { timeout: 60_000 });

      assert.deepEqual(
        requests.filter((r) => r.method === 'POST').length,
        1,
        'the upload was created once, before the reload, and never again',
      );
      const patches = requests.filter((r) => r.method === 'PATCH');
      assert.equal(patches[0]!.offset, 0, 'before the reload it started at 0');
      assert.equal(patches.at(-1)!.offset, kept, "after it, it went on from the server's offset");
      const all = await server.ctx.db.selectFrom('tus_uploads').select('file_id').where('owner_id', '=', u.id).execute();
      assert.equal(all.length, 1, 'one tus upload');
      const files = await server.ctx.db.selectFrom('files').selectAll().where('owner_id', '=', u.id).execute();
      assert.equal(files.length, 1, 'one file');
      assert.equal(files[0]!.id, all[0]!.file_id);
      assert.equal(files[0]!.sha256, createHash('sha256').update(bytes).digest('hex'));
      const share = (await page.getAttribute('a.share-url', 'href')) as string;
      assert.equal(share, server.ctx.links.downloadPage(files[0]!.id));
      assert.equal(await downloadedSha(page, share), files[0]!.sha256);
      assert.equal(
        await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')).length),
        0,
        'a finished upload is forgotten by the browser',
      );
      await page.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it('waits while the browser is offline, and goes on from where it stopped once it is back', async () => {
    const size = 6 * MB;
    const bytes = randomBytes(size);
    const path = join(dir, 'offline.bin');
    await writeFile(path, bytes);
    // The line drops at 3 MB, after the browser went offline (as with a closed lid or lost Wi-Fi).
    const { proxy, server } = await behindProxy([3 * MB]);
    try {
      const page = await browser.page();
      const requests = tusRequests(page);
      await page.goto(`${proxy.url}/`);
      const cdp = await page.context().newCDPSession(page);
      const line = (offline: boolean, uploadThroughput: number) =>
        cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput });
      await line(false, 2 * MB);
      await page.setInputFiles('#f-files', path);
      await page.click('#upload-submit');
      await page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('#queue li progress')?.value ?? 0) > 10);
      await line(true, 2 * MB);
      await page.waitForSelector('#queue li .stats:has-text("Offline")');
      const kept = await waitFor(async () => {
        const row = await server.ctx.db.selectFrom('tus_uploads').select('upload_offset').executeTakeFirst();
        return row && row.upload_offset > 0 ? row.upload_offset : undefined;
      });
      assert.equal(await page.locator('#queue li.failed').count(), 0, 'offline is not a failure');
      await Promise.all([page.waitForURL(`${proxy.url}/upload/done`, { timeout: 60_000 }), line(false, -1)]);
      assert.equal(requests.filter((r) => r.method === 'POST').length, 1, 'created once');
      assert.equal(requests.filter((r) => r.method === 'PATCH').at(-1)!.offset, kept, 'went on from the offset the server had');
      const share = (await page.getAttribute('a.share-url', 'href')) as string;
      assert.equal(await downloadedSha(page, share), createHash('sha256').update(bytes).digest('hex'));
      await page.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it("shows the server's reason when it refuses an upload, and leaves nothing behind", async () => {
    const { proxy, server } = await behindProxy([]);
    try {
      const u = await server.userClient();
      const user = (await server.ctx.accounts.find(u.id))!;
      const folder = await server.ctx.libraryFolders.create(user, { name: 'Soon gone', shared: 0 });
      const page = await browser.page();
      await page.goto(`${proxy.url}/login`);
      await page.fill('#f-email', u.email);
      await page.fill('#f-password', u.password);
      await Promise.all([page.waitForURL(`${proxy.url}/`), page.click('main button[type=submit]')]);
      await page.click('summary');
      await page.selectOption('#f-folder_id', folder.id);
      // The folder goes away after the page was shown: the server refuses the upload's creation.
      await server.ctx.libraryFolders.delete(user, [folder.id]);
      await page.setInputFiles('#f-files', { name: 'late.txt', mimeType: 'text/plain', buffer: Buffer.from('too late') });
      await page.click('#upload-submit');
      await page.waitForSelector('#queue li.failed');
      assert.match((await page.textContent('#queue li .stats')) ?? '', /^Failed: Folder not found/);
      assert.equal((await server.ctx.db.selectFrom('tus_uploads').select('id').execute()).length, 0);
      assert.equal((await server.ctx.db.selectFrom('files').select('id').where('owner_id', '=', u.id).execute()).length, 0);
      await page.close();
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it('saw no page error or CSP violation (failed loads of cut connections are expected)', () => {
    assert.deepEqual(
      // Failed loads are expected here: cut connections, offline, and the refused creation (400).
      browser.problems.filter((p) => !p.startsWith('console: Failed to load resource')),
      [],
    );
  });
});
