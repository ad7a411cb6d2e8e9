// CORS on the API, the upload form and direct links: any origin may read the answers,
// never with credentials, and only on those routes (the web app's pages stay same-origin).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendbayClient } from '@sendbay/client';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { uploadInfo } from '../testing/upload-kit.js';

const ORIGIN = 'http://elsewhere.example';

function assertCrossOrigin(res: Response, what: string): void {
  assert.equal(res.headers.get('access-control-allow-origin'), '*', `${what}: any origin may read it`);
  assert.equal(res.headers.get('access-control-allow-credentials'), null, `${what}: never with credentials`);
}

describe('CORS on the API, uploads and direct links', () => {
  let server: TestServer;
  let sessionKey: string;
  let directLink: string;

  before(async () => {
    server = await startTestServer();
    const u = await server.userClient();
    const ticket = await uploadInfo(u.client);
    const form = new FormData();
    form.set('MAX_FILE_SIZE', ticket.max_file_size);
    form.set('UPLOAD_IDENTIFIER', ticket.upload_identifier);
    form.set('extra_info', ticket.extra_info);
    form.set('userfile', new Blob(['cross-origin bytes']), 'cors.txt');
    const res = await fetch(ticket.url, { method: 'POST', body: form, headers: { origin: ORIGIN } });
    assertCrossOrigin(res, 'the upload answer');
    const fileId = /file_id=(\w+)/.exec(await res.text())?.[1];
    assert.ok(fileId, 'the upload stored the file');
    const sdk = new SendbayClient(server.url);
    await sdk.login(u.email, u.password);
    sessionKey = sdk.sessionKey!;
    directLink = (await sdk.download.getInfo(fileId)).url;
  });
  after(() => server?.stop());

  it('answers API calls, GET and POST, to any origin without credentials', async () => {
    const get = await fetch(`${server.url}/rest/?method=auth.checkSession&session_key=${sessionKey}`, { headers: { origin: ORIGIN } });
    assertCrossOrigin(get, 'GET /rest/');
    assert.match(await get.text(), /status="ok"/);
    const post = await fetch(`${server.url}/rest`, {
      method: 'POST',
      headers: { origin: ORIGIN },
      body: new URLSearchParams({ method: 'auth.checkSession', session_key: sessionKey }),
    });
    assertCrossOrigin(post, 'POST /rest');
  });

  it('lets a reader of a direct link see the ETag and Content-Range, and resume with Range after a preflight', async () => {
    const res = await fetch(directLink, { headers: { origin: ORIGIN, range: 'bytes=6-' } });
    assert.equal(res.status, 206);
    assertCrossOrigin(res, 'GET /dl/');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    for (const h of ['etag', 'content-range', 'content-length']) assert.ok(exposed.includes(h), `${h} is exposed: ${exposed.join(',')}`);
    assert.equal(await res.text(), 'origin bytes');
    const pre = await fetch(directLink, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.equal(pre.status, 204);
    assertCrossOrigin(pre, 'OPTIONS /dl/');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /\bRange\b/i);
  });

  it('answers preflights for the API and the upload form', async () => {
    for (const path of ['/rest/', '/upload/abc']) {
      const pre = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 204, path);
      assertCrossOrigin(pre, `OPTIONS ${path}`);
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/, path);
    }
  });

  it('leaves the web app same-origin', async () => {
    for (const path of ['/', '/login']) {
      const res = await fetch(`${server.url}${path}`, { headers: { origin: ORIGIN } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), null, `${path} is not readable cross-origin`);
    }
  });
});
