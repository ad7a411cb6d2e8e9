// The /rest/ machinery: transport, parameter gathering and the errors no handler produces.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseResult } from '@sendbay/client';
import { startTestServer, type TestServer } from '../testing/test-server.js';

describe('the /rest/ endpoint', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(server.url + path, init);
    const text = await res.text();
    return { res, text, result: parseResult(text) };
  };

  it('answers GET and POST on /rest/ and /rest, always HTTP 200 text/xml', async () => {
    for (const path of ['/rest/', '/rest']) {
      for (const method of ['GET', 'POST']) {
        const { res, text } = await get(`${path}?method=auth.createToken&api_key=k&api_version=1.2`, { method });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
        assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<result method="auth.createToken" status="ok">'), text);
      }
    }
  });

  it('merges the query with an urlencoded body, and reads multipart bodies', async () => {
    const a = await get('/rest/?method=auth.createToken', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'api_key=k&api_version=1.2',
    });
    assert.equal(a.result.status, 'ok', a.text);
    const form = new FormData();
    form.set('method', 'auth.createToken');
    form.set('api_key', 'k');
    const b = await get('/rest/', { method: 'POST', body: form });
    assert.equal(b.result.status, 'ok', b.text);
  });

  it('accepts a POST with everything in the query, an empty body and no Content-Type', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const req = request(`${server.url}/rest/?method=auth.createtoken&api_key=k`, { method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(`${res.statusCode} ${parseResult(body).status}`));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, '200 ok');
  });

  it('answers 1 without a method and 2 for an unknown one, echoing the name', async () => {
    assert.equal((await get('/rest/')).result.error?.code, 1);
    const r = await get('/rest/?method=files.fly');
    assert.equal(r.result.error?.code, 2);
    assert.equal(r.result.method, 'files.fly');
  });

  it('matches method names in any case and echoes them exactly as sent', async () => {
    const r = await get('/rest/?method=AUTH.CreateTOKEN&api_key=k');
    assert.equal(r.result.status, 'ok');
    assert.equal(r.result.method, 'AUTH.CreateTOKEN');
  });

  it('answers 3 when a session method has no session key, 6 when it is unknown', async () => {
    assert.equal((await get('/rest/?method=folders.getAll')).result.error?.code, 3);
    assert.equal((await get(`/rest/?method=folders.getAll&session_key=${'a'.repeat(32)}`)).result.error?.code, 6);
  });

  it('answers 4 for a missing parameter and names it', async () => {
    const r = await get('/rest/?method=auth.createToken');
    assert.equal(r.result.error?.code, 4);
    assert.match(r.result.error!.text, /api_key/);
  });

  it('answers 5 for an unsupported api_version and ignores response_format', async () => {
    assert.equal((await get('/rest/?method=auth.createToken&api_key=k&api_version=0.9')).result.error?.code, 5);
    assert.equal((await get('/rest/?method=auth.createToken&api_key=k&api_version=1.0&response_format=json')).result.status, 'ok');
  });

  it('answers 21 for a parameter value of the wrong kind', async () => {
    const { client } = await server.userClient();
    const r = await client.call('upload.getInfo', { speed_limit: 'fast' });
    assert.equal(r.error?.code, 21);
    assert.match(r.error!.text, /speed_limit/);
  });

  it('ignores unknown parameters and survives hostile names', async () => {
    const r = await get('/rest/?method=auth.createToken&api_key=k&__proto__=x&constructor=y&hasOwnProperty=z&unknown=1');
    assert.equal(r.result.status, 'ok', r.text);
  });

  it('answers 16 for invalid UTF-8 and bad percent-encoding', async () => {
    for (const q of ['api_key=%ff%fe', 'api_key=%c3%28', 'api_key=%e2%82']) {
      const r = await get(`/rest/?method=auth.createToken&${q}`);
      assert.equal(r.res.status, 200);
      assert.equal(r.result.error?.code, 16, q);
    }
  });

  it('accepts unencoded parameters such as a raw @ in an e-mail address', async () => {
    const email = `raw-${Date.now()}@example.com`;
    await server.ctx.accounts.create({ email, password: 'pw12' });
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
        socket.write(
          Buffer.from(
            `GET /rest/?method=auth.register&api_key=k&full_name=Some+One&email=${email}&password=abcd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            'utf8',
          ),
        );
      });
      let data = '';
      socket.on('data', (c) => (data += c.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1.1 200/);
    assert.match(raw, /already registered/, 'the raw address was read as the same account');
  });

  it('answers 16 for a parameter repeated with different values, and accepts identical repeats', async () => {
    assert.equal((await get('/rest/?method=auth.createToken&api_key=a&api_key=b')).result.error?.code, 16);
    assert.equal((await get('/rest/?method=auth.createToken&api_key=a&api_key=a')).result.status, 'ok');
  });

  it('answers 16, not a crash, for oversized query strings and bodies', async () => {
    const big = await get(`/rest/?method=auth.createToken&api_key=${'x'.repeat(40_000)}`);
    assert.equal(big.res.status, 200);
    assert.equal(big.result.error?.code, 16);
    const huge = await get(`/rest/?method=auth.createToken&api_key=${'x'.repeat(70_000)}`);
    assert.equal(huge.res.status, 200);
    assert.equal(huge.result.error?.code, 16);
    const body = await get('/rest/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `method=auth.createToken&api_key=k&pad=${'x'.repeat(2 * 1024 * 1024)}`,
    });
    assert.equal(body.res.status, 200);
    assert.equal(body.result.error?.code, 16);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is still up');
  });

  it('answers 16 for too many parameters or a huge id list', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `p${i}=1`).join('&');
    assert.equal((await get(`/rest/?method=auth.createToken&api_key=k&${many}`)).result.error?.code, 16);
    const { client } = await server.userClient();
    const ids = Array.from({ length: 1500 }, (_, i) => String(i).padStart(6, 'a')).join(',');
    const r = await client.call('files.getInfo', { file_id: ids });
    assert.equal(r.error?.code, 16);
  });

  it('routes an absolute-form request target on its path (clients behind http_proxy)', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
        socket.write(
          'GET http://api.sendspace.com/rest/?method=auth.createToken&api_key=k HTTP/1.1\r\nHost: api.sendspace.com\r\nConnection: close\r\n\r\n',
        );
      });
      let data = '';
      socket.on('data', (c) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1.1 200/);
    assert.match(raw, /<token>[a-z0-9]{32}<\/token>/);
  });

  it('never answers with a stack trace for a malformed multipart body', async () => {
    const r = await get('/rest/?method=auth.createToken&api_key=k', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      body: '--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue-without-end',
    });
    assert.equal(r.res.status, 200);
    assert.ok(!/at .*\.ts:\d+/.test(r.text));
  });
});
