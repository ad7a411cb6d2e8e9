// Paths the router cannot match (broken percent-encoding, an over-long parameter) answer
// the site's own pages, or the API's <result> document, never the framework's JSON.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';

describe('unroutable paths', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('answer the 400 page for bad percent-encoding in page paths', async () => {
    for (const path of ['/file/%zz', '/folder/%E0%A4%A', '/folder/%E0%A4%A/rss', '/%zz', '/dl/%zz/0/x', '/delete/%c3%28']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 400, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.ok(res.headers.get('content-security-policy'), path);
      const body = await res.text();
      assert.match(body, /<h1>Bad request<\/h1>/, path);
      assert.doesNotMatch(body, /FST_|fastify|statusCode/i, path);
    }
  });

  it('answer error 16 in a <result> document on the API path', async () => {
    const res = await fetch(`${server.url}/rest%zz/?method=auth.createToken`);
    const body = await res.text();
    // Either the API's own answer or the page, never the framework's JSON.
    assert.doesNotMatch(body, /FST_|statusCode/, body);
    const api = await fetch(`${server.url}/rest/%zz?method=auth.createToken`);
    assert.equal(api.status, 200);
    assert.match(await api.text(), /<error code="16"/);
  });

  it('answer 404 for a parameter too long to be any id', async () => {
    const res = await fetch(`${server.url}/file/${'a'.repeat(300)}`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /FST_|statusCode/);
  });
});
