/** Every method of the typed SDK against the real server on loopback. */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../../server/src/testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { SendbayClient } from './client.js';
import { SendbayApiError, SendbayNetworkError, SendbayProtocolError } from './errors.js';
import { upload } from './upload/upload.js';

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('SendbayClient: the 27 methods, typed', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let email: string;
  let password: string;
  let client: SendbayClient;

  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url } });
    ({ email, password } = await server.userClient());
    client = new SendbayClient(server.url);
  });
  after(async () => {
    await server.stop();
    await smtp.close();
  });

  it('auth: createToken, login (token + md5), checkSession, register', async () => {
    const { token } = await client.auth.createToken();
    assert.match(token, /^[a-z0-9]{32}$/);
    const s = await client.login(email, password);
    assert.equal(s.email, email);
    assert.equal(s.membershipType, 'lite');
    assert.equal(typeof s.capableUpload, 'boolean');
    assert.equal(client.sessionKey, s.sessionKey);
    const check = await client.auth.checkSession();
    assert.equal(check.session, 'ok');
    assert.equal(typeof check.diskspaceLeft, 'number');
    const reg = await client.auth.register({ full_name: 'New Person', email: `new-${Date.now()}@example.com`, password: 'pw-123456' }).then(
      () => 'ok',
      (e: unknown) => (e instanceof SendbayApiError ? e.specName : 'other'),
    );
    assert.ok(['ok', 'API_ERROR_REGISTRATION_ERROR', 'API_ERROR_PERMISSION_DENIED'].includes(reg), reg);
  });

  it('a wrong password is a typed error with the spec code, name, text and method', async () => {
    const c = new SendbayClient(server.url);
    const err = await c.login(email, 'wrong').catch((e: unknown) => e);
    assert.ok(err instanceof SendbayApiError);
    assert.equal(err.code, 8);
    assert.equal(err.specName, 'API_ERROR_AUTHENTICATION_FAILURE');
    assert.equal(err.method, 'auth.login');
    assert.ok(err.text.length > 0);
  });

  it('folders: create, getInfo, setInfo, getAll, getContents, getShared, move, sendMail, delete', async () => {
    const a = await client.folders.create({ name: 'A', shared: 1 });
    assert.equal(a.name, 'A');
    assert.equal(a.shared, true);
    const b = await client.folders.create({ name: 'B', parent_folder_id: '0', shared: 1 });
    const info = await client.folders.getInfo(a.id);
    assert.deepEqual(info.totals, { files: 0, size: 0, folders: 0 });
    const renamed = await client.folders.setInfo(a.id, { name: 'A2' });
    assert.equal(renamed.name, 'A2');
    const all = await client.folders.getAll();
    assert.ok(all.some((f) => f.id === a.id) && all.some((f) => f.id === b.id));
    const moved = await client.folders.move(b.id, a.id);
    assert.deepEqual(moved.ids, [b.id]);
    const contents = await client.folders.getContents(a.id);
    assert.deepEqual(
      contents.folders.map((f) => f.id),
      [b.id],
    );
    const shared = await client.folders.getShared(a.id);
    assert.equal(shared.current.id, a.id);
    assert.deepEqual(
      shared.folders.map((f) => f.id),
      [b.id],
    );
    const mailed = await client.folders.sendMail(a.id, { emails: 'friend@example.com', message: 'hi' });
    assert.deepEqual(mailed.ids, [a.id]);
    const del = await client.folders.delete([b.id, 'zzzzzz']);
    assert.deepEqual(del.ids, [b.id]);
    assert.equal(del.errors[0]?.code, 10, 'the unknown id gets its own error');
    assert.deepEqual(del.errors[0]?.ids, ['zzzzzz']);
    await client.folders.delete(a.id);
  });

  it('files and transfers: upload.getInfo, getInfo, setInfo, moveToFolder, sendMail, download.getInfo, delete', async () => {
    const ticket = await client.upload.getInfo();
    assert.match(ticket.url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.ok(ticket.maxFileSize > 0 && ticket.uploadIdentifier && ticket.extraInfo && ticket.progressUrl);
    const [up] = await upload(client, [{ name: 'hello.txt', body: new TextEncoder().encode('hello world') }]);
    const id = up!.fileId;
    const got = await client.files.getInfo(id);
    assert.equal(got.items[0]?.name, 'hello.txt');
    assert.equal(got.items[0]?.fileSize, 11);
    const set = await client.files.setInfo(id, { description: 'greeting', download_limit: 5 });
    assert.equal(set.items[0]?.description, 'greeting');
    assert.equal(set.items[0]?.downloadLimit, 5);
    const folder = await client.folders.create({ name: 'Files' });
    const moved = await client.files.moveToFolder(id, folder.id);
    assert.equal(moved.items[0]?.folderId, folder.id);
    const mailed = await client.files.sendMail(id, { emails: ['a@example.com', 'b@example.com'] });
    assert.deepEqual(mailed.ids, [id]);
    const dl = await client.download.getInfo(id);
    assert.equal(dl.fileId, id);
    assert.equal(dl.fileSize, 11);
    assert.equal(await (await fetch(dl.url)).text(), 'hello world');
    const mixed = await client.files.getInfo([id, 'zzzzzz']);
    assert.deepEqual(mixed.ids, [id]);
    assert.deepEqual(
      mixed.errors.map((e) => [e.code, e.ids]),
      [[9, ['zzzzzz']]],
    );
    const deleted = await client.files.delete(id);
    assert.deepEqual(deleted.ids, [id]);
    const gone = await client.files.getInfo(id).catch((e: unknown) => e);
    assert.ok(gone instanceof SendbayApiError);
    assert.equal(gone.code, 9);
    assert.equal(gone.specName, 'API_ERROR_FILE_NOT_FOUND');
    assert.deepEqual(gone.ids, []);
  });

  it('addressbook: add, update, list, delete (per-address errors)', async () => {
    const added = await client.addressbook.add({ email: 'pal@example.com', name: 'Pal' });
    assert.deepEqual(added, { email: 'pal@example.com', name: 'Pal', description: '', type: 0 });
    const updated = await client.addressbook.update({ email: 'pal@example.com', description: 'old friend' });
    assert.equal(updated.description, 'old friend');
    assert.ok((await client.addressbook.list()).some((c) => c.email === 'pal@example.com' && c.description === 'old friend'));
    const del = await client.addressbook.delete(['pal@example.com', 'nobody@example.com']);
    assert.deepEqual(del.deleted, ['pal@example.com']);
    assert.deepEqual(del.errors[0]?.ids, ['nobody@example.com']);
  });

  it('anonymous: uploadGetInfo and filesSendMail without a session', async () => {
    const anon = new SendbayClient(server.url);
    const ticket = await anon.anonymous.uploadGetInfo();
    assert.ok(ticket.url && ticket.uploadIdentifier);
    const [up] = await upload(anon, [{ name: 'anon.txt', body: new Blob(['anonymous bytes']) }], { anonymous: true });
    assert.match(up!.downloadUrl, /\/file\//);
    assert.match(up!.deleteUrl ?? '', /\/delete\//);
    const sent = await anon.anonymous.filesSendMail({ file_id: up!.fileId, sender_email: 'me@example.com', emails: 'you@example.com' });
    assert.deepEqual(sent.ids, [up!.fileId]);
  });

  it('auth.logout ends the session; the next call without credentials is error 6', async () => {
    const c = new SendbayClient(server.url);
    await c.login(email, password, { keepCredentials: false });
    const key = c.sessionKey;
    await c.logout();
    assert.equal(c.sessionKey, undefined);
    const again = new SendbayClient(server.url, { sessionKey: key! });
    const err = await again.auth.checkSession().catch((e: unknown) => e);
    assert.ok(err instanceof SendbayApiError);
    assert.equal(err.code, 6);
  });
});

describe('SendbayClient: sessions, retries and bad endpoints', () => {
  it('logs in again by itself when the session expired and it holds the credentials', async () => {
    let now = Math.floor(Date.now() / 1000);
    const server = await startTestServer({ env: { SENDBAY_SESSION_IDLE: '60' }, overrides: { clock: { now: () => now } } });
    try {
      const { email, password } = await server.userClient();
      const seen: (string | undefined)[] = [];
      const c = new SendbayClient(server.url, { onSession: (k) => seen.push(k) });
      await c.login(email, password);
      const first = c.sessionKey;
      now += 120;
      assert.equal((await c.auth.checkSession()).session, 'ok');
      assert.notEqual(c.sessionKey, first, 'a new session was opened');
      assert.equal(seen.length, 2, 'the new key was reported for saving');
      const noCreds = new SendbayClient(server.url, { sessionKey: c.sessionKey! });
      now += 120;
      assert.equal((await noCreds.auth.checkSession().catch((e: SendbayApiError) => e.code)) as number, 6);
    } finally {
      await server.stop();
    }
  });

  it('retries idempotent calls after network errors, never the others', async () => {
    const server = await startTestServer();
    try {
      let failures = 2;
      let calls = 0;
      const flaky: typeof fetch = (input, init) => {
        calls++;
        if (failures-- > 0)
          return Promise.reject(
            new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }),
          );
        return fetch(input, init);
      };
      const c = new SendbayClient(server.url, { fetch: flaky, retry: { baseDelayMs: 1 } });
      assert.match((await c.auth.createToken()).token, /^[a-z0-9]{32}$/);
      assert.equal(calls, 3);
      failures = 1;
      calls = 0;
      const err = await c.anonymous
        .filesSendMail({ file_id: 'abcdef', sender_email: 'a@example.com', emails: 'b@example.com' })
        .catch((e: unknown) => e);
      assert.ok(err instanceof SendbayNetworkError);
      assert.match(err.message, /socket hang up/);
      assert.equal(calls, 1, 'sending mail is not repeated');
    } finally {
      await server.stop();
    }
  });

  it('a server that is not there, or not an API, is a clear error', async () => {
    const port = await closedPort();
    const down = new SendbayClient(`http://127.0.0.1:${port}`, { retry: { retries: 1, baseDelayMs: 1 } });
    const err = await down.auth.createToken().catch((e: unknown) => e);
    assert.ok(err instanceof SendbayNetworkError);
    assert.match(err.message, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/rest/: .*ECONNREFUSED`));
    const server = await startTestServer();
    try {
      const wrong = new SendbayClient(`${server.url}/file/`);
      const e2 = await wrong.auth.createToken().catch((e: unknown) => e);
      assert.ok(e2 instanceof SendbayProtocolError, String(e2));
    } finally {
      await server.stop();
    }
  });

  it('accepts any base URL form: the site root, /rest or /rest/', () => {
    assert.equal(new SendbayClient('http://h.test').restUrl, 'http://h.test/rest/');
    assert.equal(new SendbayClient('http://h.test/api/rest').restUrl, 'http://h.test/api/rest/');
    assert.equal(new SendbayClient('https://h.test/sub/').restUrl, 'https://h.test/sub/rest/');
    assert.throws(() => new SendbayClient('ftp://h.test'), /not an http/);
  });
});
