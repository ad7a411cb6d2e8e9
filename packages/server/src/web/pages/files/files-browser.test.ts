// The file manager in a real browser (Debian's Chromium): files picked with the listing's
// checkboxes (and its "select all") are moved to another folder, a file is renamed on its
// own page, and files are deleted after the confirmation page. Each result is then read
// back through the sendspace API (files.getInfo, folders.getContents), not from the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, browserMissing, launchBrowser, type TestBrowser } from '../../../testing/browser.js';
import { storedBlobKeys, storeFile } from '../../../testing/library-fixtures.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';

type Attrs = Record<string, string>;
const filesOf = (body: Record<string, unknown>) => (body.file ?? []) as Attrs[];

describe('file manager (/files) in Chromium', { skip: browserMissing }, () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function logIn(u: { email: string; password: string }): Promise<Page> {
    const page = await browser.page();
    await page.goto(`${server.url}/login?next=/files`);
    await page.fill('#f-email', u.email);
    await page.fill('#f-password', u.password);
    await Promise.all([page.waitForURL(/\/files$|\/$/), page.click('main button[type=submit]')]);
    await page.goto(`${server.url}/files`);
    return page;
  }

  const checkPage = async (page: Page, name: string) => assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);

  it('moves checked files to another folder, renames one on its page, and deletes after confirming; the API agrees', async () => {
    const u = await server.userClient();
    const created = await u.client.call('folders.create', { name: 'Archive' });
    assert.equal(created.status, 'ok', created.xml);
    const archive = ((created.body.folder ?? []) as Attrs[])[0]!.id!;
    const [a, b, c] = [
      await storeFile(server, u.id, { name: 'a-report.txt' }),
      await storeFile(server, u.id, { name: 'b-notes.txt' }),
      await storeFile(server, u.id, { name: 'c-draft.txt' }),
    ];
    const page = await logIn(u);
    await checkPage(page, '/files');

    // Move: two of the three rows checked by keyboard, the target picked, Move pressed.
    await page.focus(`#sel-f-${a.id}`);
    await page.keyboard.press('Space');
    await page.check(`#sel-f-${b.id}`);
    assert.equal(await page.locator('input[data-select-all]').evaluate((e) => (e as HTMLInputElement).indeterminate), true);
    await page.selectOption('#move-target', archive);
    await Promise.all([page.waitForURL(/done=moved/), page.click('button[name=action][value=move]')]);
    assert.match((await page.textContent('main')) ?? '', /2 items moved\./);
    const info = filesOf((await u.client.call('files.getInfo', { file_id: `${a.id},${b.id},${c.id}` })).body);
    assert.deepEqual(
      info.map((f) => [f.name, f.folder_id]),
      [
        ['a-report.txt', archive],
        ['b-notes.txt', archive],
        ['c-draft.txt', '0'],
      ],
    );
    const inArchive = await u.client.call('folders.getContents', { folder_id: archive });
    assert.deepEqual(
      filesOf(inArchive.body)
        .map((f) => f.id)
        .sort(),
      [a.id, b.id].sort(),
    );

    // Rename: into the folder, to the file's page, a new name saved.
    await page.click('a:has-text("Archive") >> nth=0');
    await page.click(`a[href="/files/file/${a.id}"]`);
    await page.waitForURL(`${server.url}/files/file/${a.id}`);
    await checkPage(page, 'file page');
    assert.equal(await page.locator('svg.qr').count(), 1, 'the file page shows the QR code');
    await page.fill('#f-name', 'final-report.txt');
    await Promise.all([page.waitForURL(/done=/), page.click('form[action$="/' + a.id + '"] button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'final-report.txt');
    const renamed = filesOf((await u.client.call('files.getInfo', { file_id: a.id })).body)[0]!;
    assert.equal(renamed.name, 'final-report.txt');
    assert.equal(renamed.folder_id, archive, 'renaming leaves it where it is');

    // Delete: everything in the folder checked with "select all", confirmed on the next page.
    await page.goto(`${server.url}/files?folder=${archive}`);
    await page.check('input[data-select-all]');
    assert.equal(await page.locator('input[name=file]:checked').count(), 2);
    await Promise.all([page.waitForURL(`${server.url}/files/bulk`), page.click('button[name=action][value=delete]')]);
    await checkPage(page, 'delete confirmation');
    const listed = await page.locator('main li').allTextContents();
    assert.deepEqual(listed.sort(), ['b-notes.txt', 'final-report.txt']);
    const blobsBefore = await storedBlobKeys(server);
    await Promise.all([page.waitForURL(/done=deleted/), page.click('main form button.danger')]);
    assert.match((await page.textContent('main')) ?? '', /2 items deleted\./);
    const gone = await u.client.call('files.getInfo', { file_id: `${a.id},${b.id}` });
    assert.equal(gone.status, 'fail', gone.xml);
    assert.deepEqual(filesOf(gone.body), []);
    assert.deepEqual(filesOf((await u.client.call('folders.getContents', { folder_id: archive })).body), []);
    assert.equal(
      filesOf((await u.client.call('files.getInfo', { file_id: c.id })).body)[0]?.name,
      'c-draft.txt',
      'the unchecked file stays',
    );
    const blobsAfter = await storedBlobKeys(server);
    assert.equal(blobsAfter.size, blobsBefore.size - 2, 'their bytes are gone too');
    assert.ok(!blobsAfter.has(a.blob_key) && !blobsAfter.has(b.blob_key) && blobsAfter.has(c.blob_key));
    await page.close();
  });

  it('saw no console error, page error or CSP violation', () => {
    assert.deepEqual(browser.problems, []);
  });
});
