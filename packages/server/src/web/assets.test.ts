// The browser assets: built from the sources, served under content-hashed names with a
// year of caching, gzipped, small; and pages that load them under a strict CSP.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { webAssets } from './assets.js';

describe('web assets', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('serves every asset a page names, hashed, immutable and gzipped', async () => {
    const res = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    const body = await res.text();
    const urls = [...body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(urls.some((u) => /\/assets\/app-[0-9a-f]{12}\.css$/.test(u)));
    assert.ok(urls.some((u) => /\/assets\/app-[0-9a-f]{12}\.js$/.test(u)));
    for (const url of urls) {
      const a = await fetch(`${server.url}${url}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(a.status, 200, url);
      assert.equal(a.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
      assert.match(a.headers.get('content-type')!, url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      assert.ok((await a.arrayBuffer()).byteLength > 0);
    }
    assert.equal((await fetch(`${server.url}/assets/app-000000000000.js`)).status, 404);
  });

  it('keeps each page under 50 KB of JS + CSS gzipped', () => {
    const sizes = webAssets().sizes();
    const gz = (n: string) => sizes.find((s) => s.name === n)!.gzipBytes;
    assert.ok(gz('app.css') + gz('app.js') + gz('upload.js') < 50 * 1024, JSON.stringify(sizes));
    for (const s of sizes) assert.ok(gunzipSync(webAssets().get(webAssets().url(s.name).slice(8))!.gzip).length === s.bytes);
  });

  it("gives pages a CSP that allows scripts and styles from 'self' only, and no inline script", async () => {
    const res = await fetch(`${server.url}/login`);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const body = await res.text();
    assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)/, 'every script has a src');
    assert.doesNotMatch(body, /<style|style="/, 'no inline styles');
    assert.doesNotMatch(body, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('answers an unknown page with the HTML not-found page for browsers, plain text for others', async () => {
    const page = await fetch(`${server.url}/no/such/page`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /Page not found/);
    const plain = await fetch(`${server.url}/no/such/page`);
    assert.equal(plain.status, 404);
    assert.equal(await plain.text(), 'Not found\n');
  });
});
