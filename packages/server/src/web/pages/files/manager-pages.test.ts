// The file manager through the front door, as a browser without JavaScript uses it:
// plain forms, POST + redirect. Every action is also tried with another user's ids
// (they answer as unknown and change nothing) and without the CSRF token (refused).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileRow, storeFile } from '../../../testing/library-fixtures.js';
import { readQrSvg } from '../../../testing/qr-reader.js';
import { mailText, startSmtpSink, type SmtpSink } from '../../../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { WebAgent } from '../../../testing/web-agent.js';

describe('web file manager (/files)', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let alice: { id: string; email: string; password: string };
  let bob: { id: string; email: string; password: string };
  let web: WebAgent;
  let bobWeb: WebAgent;

  async function loggedIn(u: { email: string; password: string }): Promise<WebAgent> {
    const agent = new WebAgent(server.url);
    await agent.get('/login');
    const res = await agent.post('/login', { email: u.email, password: u.password });
    assert.equal(res.status, 303, res.text);
    // The CSRF token belongs to the session: take the one of a logged-in page.
    await agent.get('/files');
    return agent;
  }

  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url } });
    alice = await server.userClient({ email: 'alice@example.com' });
    bob = await server.userClient({ email: 'bob@example.com' });
    web = await loggedIn(alice);
    bobWeb = await loggedIn(bob);
  });
  after(async () => {
    await server.stop();
    await smtp.close();
  });

  const user = (id: string) => server.ctx.accounts.find(id).then((u) => u!);
  const folderIdNamed = async (ownerId: string, name: string) =>
    (await server.ctx.db.selectFrom('folders').select('id').where('owner_id', '=', ownerId).where('name', '=', name).executeTakeFirst())
      ?.id;

  it('asks for a login first, and comes back after it', async () => {
    const anon = new WebAgent(server.url);
    const res = await anon.get('/files?folder=abc123');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login?next=%2Ffiles%3Ffolder%3Dabc123');
    for (const path of ['/files/file/abc123', '/files/folder/abc123', '/files/contacts', '/account', '/admin/users'])
      assert.equal((await anon.get(path)).status, 303, path);
  });

  it('creates folders; an empty name is refused beside the field with what was typed kept', async () => {
    const res = await web.post('/files/folders', { name: 'Holidays', parent: '0' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/files?done=created');
    const holidays = (await folderIdNamed(alice.id, 'Holidays'))!;
    assert.ok(holidays);
    const list = await web.get('/files?done=created');
    assert.match(list.text, /Folder created\./);
    assert.match(list.text, new RegExp(`href="/files\\?folder=${holidays}"`));

    const sub = await web.post('/files/folders', { name: 'Beach', parent: holidays });
    assert.equal(sub.headers.get('location'), `/files?folder=${holidays}&done=created`);
    const inside = await web.get(`/files?folder=${holidays}`);
    assert.match(inside.text, /<nav aria-label="You are here" class="crumbs">/);
    assert.match(inside.text, /<span aria-current="page">Holidays<\/span>/);
    assert.match(inside.text, />📁 Beach</);

    const bad = await web.post('/files/folders', { name: '   ', parent: holidays });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /<p class="field-error" id="f-name-error">Enter a name\.<\/p>/);
    assert.match(bad.text, /aria-invalid="true"/);
    const long = await web.post('/files/folders', { name: 'x'.repeat(300), parent: '0' });
    assert.equal(long.status, 400);
    assert.match(long.text, new RegExp(`value="${'x'.repeat(300)}"`), 'what was typed is kept');
  });

  it("another user's folder is unknown: not listed, not openable, not a parent for new folders", async () => {
    const secret = await server.ctx.libraryFolders.create(await user(bob.id), { name: 'Bob private' });
    assert.equal((await web.get(`/files?folder=${secret.id}`)).status, 404);
    assert.equal((await web.get(`/files/folder/${secret.id}`)).status, 404);
    assert.equal((await web.post('/files/folders', { name: 'Intruder', parent: secret.id })).status, 404);
    assert.equal(await folderIdNamed(alice.id, 'Intruder'), undefined);
    assert.equal(await folderIdNamed(bob.id, 'Intruder'), undefined);
    assert.doesNotMatch((await web.get('/files')).text, /Bob private/);
    assert.equal((await web.post(`/files/folder/${secret.id}`, { name: 'Renamed by alice', parent: '0' })).status, 404);
    assert.equal((await web.post(`/files/folder/${secret.id}/delete`, {})).status, 404);
    assert.equal(await folderIdNamed(bob.id, 'Bob private'), secret.id, 'unchanged');
  });

  it('moves checked files and folders to a folder; foreign ids fail and stay where they are', async () => {
    const target = (await folderIdNamed(alice.id, 'Holidays'))!;
    const a = await storeFile(server, alice.id, { name: 'a.txt' });
    const b = await storeFile(server, alice.id, { name: 'b.txt' });
    const theirs = await storeFile(server, bob.id, { name: 'bobs.txt' });
    await web.post('/files/folders', { name: 'Moving', parent: '0' });
    const moving = (await folderIdNamed(alice.id, 'Moving'))!;
    await web.get('/files');
    const res = await web.post('/files/bulk', { action: 'move', target, file: a.id, folder: moving, back: '/files' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/files?done=moved&n=2');
    assert.equal((await fileRow(server, a.id))?.folder_id, target);
    assert.equal(
      (await server.ctx.db.selectFrom('folders').select('parent_id').where('id', '=', moving).executeTakeFirst())?.parent_id,
      target,
    );

    const body = new URLSearchParams([
      ['csrf', web.csrf!],
      ['action', 'move'],
      ['target', target],
      ['file', b.id],
      ['file', theirs.id],
      ['back', '/files'],
    ]);
    const mixed = await fetch(`${server.url}/files/bulk`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    assert.equal(mixed.status, 303);
    assert.equal(mixed.headers.get('location'), '/files?done=some-failed&n=1');
    assert.equal((await fileRow(server, b.id))?.folder_id, target, 'own file moved');
    assert.equal((await fileRow(server, theirs.id))?.folder_id, '0', "bob's file did not move");

    // Into another user's folder: nothing moves.
    const bobFolder = await server.ctx.libraryFolders.create(await user(bob.id), { name: 'Bob target' });
    await web.post('/files/bulk', { action: 'move', target: bobFolder.id, file: a.id, back: '/files' });
    assert.equal((await fileRow(server, a.id))?.folder_id, target);
    // A folder into its own sub-folder: refused.
    const beach = (await folderIdNamed(alice.id, 'Beach'))!;
    const cyc = await web.post('/files/bulk', { action: 'move', target: beach, folder: target, back: '/files' });
    assert.equal(cyc.headers.get('location'), '/files?done=some-failed&n=1');
    const none = await web.post('/files/bulk', { action: 'move', target, back: '/files' });
    assert.equal(none.headers.get('location'), '/files?done=none-selected');
  });

  it('deletes checked items after a confirmation page; foreign ids are neither shown nor deleted', async () => {
    const doomed = await storeFile(server, alice.id, { name: 'doomed.txt' });
    const theirs = await storeFile(server, bob.id, { name: 'bob-keeps.txt' });
    await web.get('/files');
    const ask = await web.post('/files/bulk', { action: 'delete', file: doomed.id, back: '/files' });
    assert.equal(ask.status, 200);
    assert.match(ask.text, /doomed\.txt/);
    assert.match(ask.text, /name="confirm" value="1"/);
    assert.ok(await fileRow(server, doomed.id), 'nothing deleted before confirming');
    const done = await web.post('/files/bulk', { action: 'delete', confirm: '1', file: doomed.id, back: '/files' });
    assert.equal(done.headers.get('location'), '/files?done=deleted&n=1');
    assert.equal(await fileRow(server, doomed.id), undefined);

    const foreign = await web.post('/files/bulk', { action: 'delete', file: theirs.id, back: '/files' });
    assert.equal(foreign.status, 404);
    assert.doesNotMatch(foreign.text, /bob-keeps/);
    const forced = await web.post('/files/bulk', { action: 'delete', confirm: '1', file: theirs.id, back: '/files' });
    assert.equal(forced.headers.get('location'), '/files?done=some-failed&n=1');
    assert.ok(await fileRow(server, theirs.id), "bob's file is still there");
    // The redirect target is only ever a /files address.
    const evil = await web.post('/files/bulk', { action: 'move', target: '0', back: 'https://evil.example/' });
    assert.equal(evil.headers.get('location'), '/files?done=none-selected');
  });

  it('refuses every manager POST without the CSRF token, changing nothing', async () => {
    const f = await storeFile(server, alice.id, { name: 'csrf.txt' });
    const posts: [string, Record<string, string>][] = [
      ['/files/folders', { name: 'Forged', parent: '0' }],
      ['/files/bulk', { action: 'delete', confirm: '1', file: f.id }],
      [`/files/file/${f.id}`, { name: 'forged.txt', description: '', hours: '0', download_limit: '0', limit_action: '0' }],
      [`/files/file/${f.id}/delete`, {}],
      [`/files/file/${f.id}/mail`, { to: 'x@example.com' }],
      ['/files/contacts', { email: 'forged@example.com' }],
      ['/account/sessions/revoke', { kind: 'api', handle: '0123456789abcdef' }],
    ];
    for (const [path, form] of posts) {
      const res = await web.post(path, { ...form, csrf: null });
      assert.equal(res.status, 403, path);
      const wrong = await web.post(path, { ...form, csrf: 'x'.repeat(32) });
      assert.equal(wrong.status, 403, path);
    }
    assert.equal((await fileRow(server, f.id))?.name, 'csrf.txt');
    assert.equal(await folderIdNamed(alice.id, 'Forged'), undefined);
    assert.equal((await server.ctx.contacts.list(alice.id)).length, 0);
  });

  it('edits a file: name, description, password, expiry, download limit and action; bad input is refused beside each field', async () => {
    const f = await storeFile(server, alice.id, { name: 'report.pdf' });
    const page = await web.get(`/files/file/${f.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`value="${server.config.publicUrl}/file/${f.id}"`), 'the share link');
    assert.match(page.text, /data-copy="share-link"/);
    const svg = /<svg[^>]*class="qr"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    assert.equal(readQrSvg(svg), `${server.config.publicUrl}/file/${f.id}`, 'the QR code reads as the share link');

    const bad = await web.post(`/files/file/${f.id}`, {
      name: '',
      description: 'kept <b>text</b>',
      hours: 'soon',
      download_limit: '-3',
      limit_action: '7',
      limit_folder: '0',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="f-name-error">Enter a name\./);
    assert.match(bad.text, /id="f-hours-error">Enter a whole number/);
    assert.match(bad.text, /id="f-download_limit-error">Enter a whole number/);
    assert.match(bad.text, /id="f-limit_action-error">/);
    assert.match(bad.text, /value="soon"/, 'typed values are kept');
    assert.match(bad.text, /kept &lt;b&gt;text&lt;\/b&gt;<\/textarea>/);
    assert.equal((await fileRow(server, f.id))?.name, 'report.pdf', 'nothing saved');

    const target = (await folderIdNamed(alice.id, 'Holidays'))!;
    const ok = await web.post(`/files/file/${f.id}`, {
      name: 'annual report.pdf',
      description: 'For the board',
      password: 'open sesame',
      hours: '48',
      download_limit: '5',
      limit_action: '3',
      limit_folder: target,
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), `/files/file/${f.id}?done=saved`);
    const row = (await fileRow(server, f.id))!;
    assert.equal(row.name, 'annual report.pdf');
    assert.equal(row.description, 'For the board');
    assert.equal(server.ctx.secrets.decrypt(row.password_sealed!), 'open sesame');
    assert.equal(row.time_limit, 48 * 3600);
    assert.equal(row.download_limit, 5);
    assert.equal(row.limit_action, 3);
    assert.equal(row.limit_action_to_folder, target);
    assert.doesNotMatch((await web.get(`/files/file/${f.id}`)).text, /open sesame/, 'the password is never shown');

    // Saving again with the figures untouched keeps the expiry where it was.
    await web.post(`/files/file/${f.id}`, {
      name: 'annual report.pdf',
      description: 'Changed',
      hours: '48',
      download_limit: '5',
      limit_action: '3',
      limit_folder: target,
    });
    const again = (await fileRow(server, f.id))!;
    assert.equal(again.limit_expires_at, row.limit_expires_at);
    assert.equal(again.description, 'Changed');
    assert.ok(again.password_sealed, 'an empty password field keeps the password');
    await web.post(`/files/file/${f.id}`, {
      name: 'annual report.pdf',
      description: 'Changed',
      no_password: '1',
      hours: '0',
      download_limit: '0',
      limit_action: '0',
      limit_folder: '0',
    });
    const cleared = (await fileRow(server, f.id))!;
    assert.equal(cleared.password_sealed, null);
    assert.equal(cleared.time_limit, null);
    assert.equal(cleared.download_limit, null);

    // A limit folder of another user is refused beside its field.
    const bobFolder = await server.ctx.libraryFolders.create(await user(bob.id), { name: 'Not yours' });
    const foreign = await web.post(`/files/file/${f.id}`, {
      name: 'annual report.pdf',
      description: 'Changed',
      hours: '0',
      download_limit: '1',
      limit_action: '3',
      limit_folder: bobFolder.id,
    });
    assert.equal(foreign.status, 400);
    assert.match(foreign.text, /id="f-limit_folder-error">Choose a folder of yours\./);
  });

  it("another user's file is unknown to every file page", async () => {
    const theirs = await storeFile(server, bob.id, { name: 'bob.pdf', description: 'bob only' });
    assert.equal((await web.get(`/files/file/${theirs.id}`)).status, 404);
    await web.get('/files');
    assert.equal(
      (await web.post(`/files/file/${theirs.id}`, { name: 'pwned', hours: '0', download_limit: '0', limit_action: '0' })).status,
      404,
    );
    assert.equal((await web.post(`/files/file/${theirs.id}/mail`, { to: 'x@example.com' })).status, 404);
    assert.equal((await web.post(`/files/file/${theirs.id}/delete`, {})).status, 404);
    const row = (await fileRow(server, theirs.id))!;
    assert.equal(row.name, 'bob.pdf');
    assert.equal(smtp.messages.filter((msg) => msg.to.includes('x@example.com')).length, 0);
  });

  it('mails a file link through the real SMTP server; bad addresses are refused beside the field', async () => {
    const f = await storeFile(server, alice.id, { name: 'share-me.zip' });
    const bad = await web.post(`/files/file/${f.id}/mail`, { to: 'not an address', message: 'hello there' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="f-to-error">Enter one or more valid e-mail addresses/);
    assert.match(bad.text, /value="not an address"/);
    assert.match(bad.text, />hello there<\/textarea>/);
    const before = smtp.messages.length;
    const ok = await web.post(`/files/file/${f.id}/mail`, { to: 'carol@example.com, dave@example.com', message: 'Have a look' });
    assert.equal(ok.headers.get('location'), `/files/file/${f.id}?done=mailed&n=2`);
    const mails = await smtp.waitFor(before + 2);
    const mine = mails.slice(before);
    assert.deepEqual(mine.map((msg) => msg.to[0]).sort(), ['carol@example.com', 'dave@example.com']);
    assert.match(mailText(mine[0]!), new RegExp(`/file/${f.id}`));
    assert.ok(
      (await server.ctx.contacts.list(alice.id)).some((c) => c.email === 'carol@example.com'),
      'recipients join the address book',
    );
  });

  it('deletes one file from its page', async () => {
    const f = await storeFile(server, alice.id, { name: 'single.txt' });
    const res = await web.post(`/files/file/${f.id}/delete`, {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/files?done=deleted&n=1');
    assert.equal(await fileRow(server, f.id), undefined);
  });

  it('folder settings: rename, public on with its link and RSS, password, move, and delete with everything in it', async () => {
    await web.post('/files/folders', { name: 'Album', parent: '0' });
    const album = (await folderIdNamed(alice.id, 'Album'))!;
    const inside = await storeFile(server, alice.id, { name: 'photo.jpg', folderId: album });
    await web.get(`/files/folder/${album}`);
    const res = await web.post(`/files/folder/${album}`, { name: 'Album 2026', parent: '0', shared: '1', password: 'pw' });
    assert.equal(res.headers.get('location'), `/files/folder/${album}?done=saved`);
    const settings = await web.get(`/files/folder/${album}?done=saved`);
    assert.match(settings.text, new RegExp(`value="${server.config.publicUrl}/folder/${album}"`));
    assert.match(settings.text, new RegExp(`href="${server.config.publicUrl}/folder/${album}/rss"`));
    const row = (await server.ctx.db.selectFrom('folders').selectAll().where('id', '=', album).executeTakeFirst())!;
    assert.equal(row.name, 'Album 2026');
    assert.equal(row.shared, 1);
    assert.equal(server.ctx.secrets.decrypt(row.password_sealed!), 'pw');
    // The public page now exists (and asks for the password).
    assert.equal((await fetch(`${server.url}/folder/${album}`)).status, 200);

    const holidays = (await folderIdNamed(alice.id, 'Holidays'))!;
    const moved = await web.post(`/files/folder/${album}`, { name: 'Album 2026', parent: holidays, shared: '1' });
    assert.equal(moved.status, 303);
    const cyclic = await web.post(`/files/folder/${holidays}`, { name: 'Holidays', parent: album });
    assert.equal(cyclic.status, 400);
    assert.match(cyclic.text, /id="f-parent-error">A folder cannot go into itself/);
    const empty = await web.post(`/files/folder/${album}`, { name: '', parent: holidays, shared: '1' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /id="f-name-error">Enter a name\./);
    const teamOnly = await web.post(`/files/folder/${album}`, {
      name: 'Album 2026',
      parent: holidays,
      shared: '1',
      business_shown: '1',
      business_shared: '1',
    });
    assert.equal(teamOnly.status, 400, 'a lite account cannot share with a team');

    const del = await web.post(`/files/folder/${album}/delete`, {});
    assert.equal(del.headers.get('location'), `/files?folder=${holidays}&done=folder-deleted`);
    assert.equal(await folderIdNamed(alice.id, 'Album 2026'), undefined);
    assert.equal(await fileRow(server, inside.id), undefined, 'its files went with it');
  });

  it('sorts by name, size and date with links in the column headers, and searches by name', async () => {
    await web.post('/files/folders', { name: 'Sorted', parent: '0' });
    const sorted = (await folderIdNamed(alice.id, 'Sorted'))!;
    await storeFile(server, alice.id, { name: 'b-middle.txt', folderId: sorted, content: 'x'.repeat(50), uploadTime: 2000 });
    await storeFile(server, alice.id, { name: 'a-small.txt', folderId: sorted, content: 'x', uploadTime: 3000 });
    await storeFile(server, alice.id, { name: 'c-big.txt', folderId: sorted, content: 'x'.repeat(500), uploadTime: 1000 });
    const order = async (qs: string) =>
      [...(await web.get(`/files?folder=${sorted}${qs}`)).text.matchAll(/href="\/files\/file\/[a-z0-9]{6}">([^<]+)</g)].map((x) => x[1]);
    assert.deepEqual(await order(''), ['a-small.txt', 'b-middle.txt', 'c-big.txt']);
    assert.deepEqual(await order('&sort=size&order=desc'), ['c-big.txt', 'b-middle.txt', 'a-small.txt']);
    assert.deepEqual(await order('&sort=date'), ['c-big.txt', 'b-middle.txt', 'a-small.txt']);
    const page = await web.get(`/files?folder=${sorted}&sort=size&order=desc`);
    assert.match(page.text, /aria-sort="descending"/);
    assert.match(page.text, new RegExp(`href="/files\\?folder=${sorted}&amp;sort=size"`), 'clicking again sorts ascending');

    const found = await web.get('/files?q=MIDDLE');
    assert.match(found.text, /b-middle\.txt/);
    assert.doesNotMatch(found.text, /a-small\.txt/);
    const bobs = await bobWeb.get('/files?q=middle');
    assert.doesNotMatch(bobs.text, /b-middle\.txt/, "a search never finds another user's files");
  });

  it('shows disk and bandwidth usage bars from the plan', async () => {
    const page = await web.get('/files');
    assert.match(page.text, /Disk space/);
    assert.match(page.text, /<progress max="\d+" value="\d+">/);
    assert.match(page.text, /Bandwidth this month/);
  });

  it('the address book: add, refuse a duplicate beside the field, rename, delete; another user sees none of it', async () => {
    await web.get('/files/contacts');
    const add = await web.post('/files/contacts', { email: 'Eve@Example.com', name: 'Eve', description: 'friend' });
    assert.equal(add.headers.get('location'), '/files/contacts?done=added');
    const dup = await web.post('/files/contacts', { email: 'eve@example.com', name: 'Again' });
    assert.equal(dup.status, 400);
    assert.match(dup.text, /id="f-email-error">This address is in your address book already\./);
    assert.match(dup.text, /value="Again"/);
    const badAddress = await web.post('/files/contacts', { email: 'nope', name: 'Nope' });
    assert.equal(badAddress.status, 400);
    assert.match(badAddress.text, /id="f-email-error">Enter a valid e-mail address\./);
    await web.post('/files/contacts/update', { email: 'eve@example.com', name: 'Eve Smith', description: 'colleague' });
    const eve = (await server.ctx.contacts.list(alice.id)).find((c) => c.email === 'eve@example.com')!;
    assert.equal(eve.name, 'Eve Smith');
    assert.doesNotMatch((await bobWeb.get('/files/contacts')).text, /eve@example\.com/);
    assert.equal((await bobWeb.post('/files/contacts/delete', { email: 'eve@example.com' })).status, 404);
    assert.equal((await bobWeb.post('/files/contacts/update', { email: 'eve@example.com', name: 'x' })).status, 404);
    assert.ok((await server.ctx.contacts.list(alice.id)).some((c) => c.email === 'eve@example.com'));
    const del = await web.post('/files/contacts/delete', { email: 'eve@example.com' });
    assert.equal(del.headers.get('location'), '/files/contacts?done=deleted');
    assert.ok(!(await server.ctx.contacts.list(alice.id)).some((c) => c.email === 'eve@example.com'));
  });

  it('escapes every name, description and folder name it shows', async () => {
    const evil = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
    await web.post('/files/folders', { name: evil, parent: '0' });
    const folder = (await folderIdNamed(alice.id, evil))!;
    const f = await storeFile(server, alice.id, { name: evil, description: evil, folderId: folder });
    for (const path of [
      '/files',
      `/files?folder=${folder}`,
      `/files/file/${f.id}`,
      `/files/folder/${folder}`,
      `/files?q=${encodeURIComponent('<script>')}`,
    ]) {
      const res = await web.get(path);
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(res.text, /<script>alert|<img src=x/, path);
      assert.match(res.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
    }
  });
});
