// The public folder page and its RSS feed, fetched over HTTP on loopback; the feed is read by a real XML parser.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import { XMLParser } from 'fast-xml-parser';
import { storeFile } from '../../testing/library-fixtures.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

const HOSTILE = `<script>alert("x")</script>&'evil.mp3`;

const rss = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => name === 'item' });

interface Item {
  title: string;
  link: string;
  guid: string;
  pubDate: string;
  description?: string;
  enclosure?: { '@_url': string; '@_length': string; '@_type': string };
}

for (const database of testDatabases) {
  describe(`public folder pages (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let owner: { client: SendspaceClient; id: string };

    before(async () => {
      // Three wrong folder passwords lock a folder for the window (the login setting).
      server = await startTestServer({ database, env: { SENDBAY_LOGIN_MAX_FAILURES: '3' } });
      owner = await server.userClient();
    });
    after(() => server.stop());

    const create = async (name: string, params: Record<string, string | number> = {}) => {
      const r = await owner.client.call('folders.create', { name, ...params });
      assert.equal(r.status, 'ok', r.xml);
      return ((r.body.folder as Record<string, string>[])[0] as Record<string, string>).id as string;
    };

    it('lists a public folder’s files and public sub-folders, escaping every name', async () => {
      const pub = await create('Holiday <2024>', { shared: 1 });
      const sub = await create('Public sub', { shared: 1, parent_folder_id: pub });
      await create('Secret sub', { parent_folder_id: pub });
      const f1 = await storeFile(server, owner.id, { folderId: pub, name: HOSTILE, content: 'a'.repeat(2048) });
      const f2 = await storeFile(server, owner.id, { folderId: pub, name: 'plain.txt' });

      const res = await fetch(`${server.url}/folder/${pub}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const body = await res.text();
      assert.ok(!body.includes('<script>'), 'the hostile name is escaped');
      assert.ok(body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;evil.mp3'), body);
      assert.ok(body.includes('Holiday &lt;2024&gt;'));
      assert.ok(body.includes(`href="${server.url}/file/${f1.id}"`));
      // Tools read files as `<a class="dl" align="center" href="/file/<id>" title="NAME">`.
      assert.match(body, new RegExp(`<a class="dl" align="center" href="${server.url}/file/${f1.id}" title="[^"]+"`));
      assert.ok(body.includes(`href="${server.url}/file/${f2.id}"`));
      assert.ok(body.includes(`href="${server.url}/folder/${sub}"`) && body.includes('Public sub'));
      assert.ok(!body.includes('Secret sub'), 'private sub-folders are not listed');
      assert.ok(body.includes(`href="${server.url}/folder/${pub}/rss"`));
      assert.match(body, /2\.0 KB/);
    });

    it('serves a valid RSS 2.0 feed: newest first, enclosures with sizes and working links', async () => {
      const pub = await create('Podcast & more', { shared: 1 });
      const now = server.ctx.clock.now();
      const old = await storeFile(server, owner.id, {
        folderId: pub,
        name: 'episode-1.mp3',
        content: 'first episode',
        uploadTime: now - 7200,
      });
      const hostile = await storeFile(server, owner.id, {
        folderId: pub,
        name: HOSTILE,
        description: 'desc <b>&</b>',
        content: 'x'.repeat(77),
        uploadTime: now - 3600,
      });
      const locked = await storeFile(server, owner.id, { folderId: pub, name: 'locked.zip', password: 'pw', uploadTime: now });
      await storeFile(server, owner.id, { name: 'elsewhere.txt' });

      const res = await fetch(`${server.url}/folder/${pub}/rss`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/rss+xml; charset=utf-8');
      const text = await res.text();
      assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'), text.slice(0, 100));
      const doc = rss.parse(text) as {
        rss: { '@_version': string; channel: { title: string; link: string; description: string; item: Item[] } };
      };
      assert.equal(doc.rss['@_version'], '2.0');
      const { channel } = doc.rss;
      assert.equal(channel.title, 'Podcast & more');
      assert.equal(channel.link, `${server.url}/folder/${pub}`);
      assert.ok(channel.description.length > 0);
      assert.deepEqual(
        channel.item.map((i) => i.link),
        [locked, hostile, old].map((f) => `${server.url}/file/${f.id}`),
        'newest first, only this folder',
      );
      const [lockedItem, hostileItem, oldItem] = channel.item;
      assert.equal(hostileItem!.title, HOSTILE, 'names come back intact after escaping');
      // Readers render the description as HTML: after XML decoding it is still escaped text.
      assert.equal(hostileItem!.description, 'desc &lt;b&gt;&amp;&lt;/b&gt;');
      assert.equal(hostileItem!.guid, `${server.url}/file/${hostile.id}`);
      assert.equal(new Date(hostileItem!.pubDate).getTime(), (now - 3600) * 1000);
      assert.equal(hostileItem!.enclosure!['@_length'], '77');
      assert.equal(hostileItem!.enclosure!['@_type'], 'audio/mpeg');
      assert.equal(oldItem!.enclosure!['@_length'], String('first episode'.length));
      assert.equal(lockedItem!.enclosure, undefined, 'a protected file has no direct link in the feed');

      const dl = await fetch(oldItem!.enclosure!['@_url']);
      assert.equal(dl.status, 200);
      assert.equal(await dl.text(), 'first episode');
    });

    it('carries no live markup in any feed description, whatever the user wrote', async () => {
      const payloads = [
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '"><svg onload=alert(1)>',
        '&lt;script&gt;alert(1)&lt;/script&gt;',
        '<![CDATA[<script>alert(1)</script>]]>',
        "<a href='javascript:alert(1)'>x</a>",
        '<iframe srcdoc="<script>alert(1)</script>">',
      ];
      const pub = await create('<b>Feed</b> & <i>folder</i>', { shared: 1 });
      for (const description of payloads) await storeFile(server, owner.id, { folderId: pub, name: 'x.txt', description });
      const doc = rss.parse(await (await fetch(`${server.url}/folder/${pub}/rss`)).text()) as {
        rss: { channel: { description: string; item: Item[] } };
      };
      const descriptions = [doc.rss.channel.description, ...doc.rss.channel.item.map((i) => i.description as string)];
      assert.equal(descriptions.length, payloads.length + 1);
      for (const d of descriptions) assert.ok(!/[<>]/.test(d), `no markup after XML decoding: ${d}`);
      // Decoding the HTML once more gives back exactly what the user wrote.
      const unescape = (s: string) =>
        s.replace(
          /&lt;|&gt;|&quot;|&#39;|&#96;|&amp;/g,
          (e) => ({ '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`', '&amp;': '&' })[e] as string,
        );
      assert.deepEqual(doc.rss.channel.item.map((i) => unescape(i.description as string)).sort(), [...payloads].sort());
    });

    it('is a 404 for a private or unknown folder, disclosing nothing', async () => {
      const priv = await create('Top secret name');
      await storeFile(server, owner.id, { folderId: priv, name: 'secret-file.txt' });
      for (const path of [
        `/folder/${priv}`,
        `/folder/${priv}/rss`,
        '/folder/zzzzzz',
        '/folder/zzzzzz/rss',
        '/folder/0',
        '/folder/..%2f..',
      ]) {
        const res = await fetch(server.url + path);
        assert.equal(res.status, 404, path);
        const body = await res.text();
        assert.ok(!body.includes('Top secret') && !body.includes('secret-file'), path);
      }
      const was = await create('Was public', { shared: 1 });
      assert.equal((await fetch(`${server.url}/folder/${was}`)).status, 200);
      await owner.client.call('folders.setInfo', { folder_id: was, shared: 0 });
      assert.equal((await fetch(`${server.url}/folder/${was}`)).status, 404, 'made private again');
    });

    it('asks for the folder password on the page and in the feed', async () => {
      const pub = await create('Locked folder', { shared: 1 });
      await owner.client.call('folders.setInfo', { folder_id: pub, folder_password: 'let me in' });
      const f = await storeFile(server, owner.id, { folderId: pub, name: 'inside.txt' });

      const form = await fetch(`${server.url}/folder/${pub}`);
      const formBody = await form.text();
      assert.equal(form.status, 200);
      assert.match(formBody, /<form method="post">/);
      assert.match(formBody, /<input[^>]*type="password"[^>]*name="password"/);
      assert.ok(!formBody.includes('inside.txt') && !formBody.includes('Locked folder'), 'nothing shown before the password');

      const post = (password: string) => fetch(`${server.url}/folder/${pub}`, { method: 'POST', body: new URLSearchParams({ password }) });
      const wrong = await post('let me');
      assert.equal(wrong.status, 403);
      const wrongBody = await wrong.text();
      assert.match(wrongBody, /Wrong password/);
      assert.ok(!wrongBody.includes('inside.txt'));
      const right = await post('let me in');
      assert.equal(right.status, 200);
      assert.ok((await right.text()).includes(`${server.url}/file/${f.id}`));

      assert.equal((await fetch(`${server.url}/folder/${pub}/rss`)).status, 403);
      assert.equal((await fetch(`${server.url}/folder/${pub}/rss?password=wrong`)).status, 403);
      const feed = await fetch(`${server.url}/folder/${pub}/rss?password=${encodeURIComponent('let me in')}`);
      assert.equal(feed.status, 200);
      assert.ok((await feed.text()).includes(`${server.url}/file/${f.id}`));
    });

    it('stops taking password guesses after too many wrong ones, on the page, in the feed and through the API', async () => {
      const pub = await create('Guarded', { shared: 1 });
      await owner.client.call('folders.setInfo', { folder_id: pub, folder_password: 'right one' });
      const post = (password: string) => fetch(`${server.url}/folder/${pub}`, { method: 'POST', body: new URLSearchParams({ password }) });
      for (const guess of ['a', 'b', 'c']) assert.equal((await post(guess)).status, 403);
      const locked = await post('right one');
      assert.equal(locked.status, 429, 'even the right password waits now');
      assert.match(await locked.text(), /Too many wrong passwords/);
      assert.equal((await fetch(`${server.url}/folder/${pub}/rss?password=${encodeURIComponent('right one')}`)).status, 429);
      const viewer = await server.userClient();
      const api = await viewer.client.call('folders.getShared', { folder_id: pub, folder_password: 'right one' });
      assert.equal(api.error?.code, 22);
      assert.match(api.error!.text, /Too many wrong folder passwords/);
      assert.equal((await owner.client.call('folders.getShared', { folder_id: pub })).status, 'ok', 'the owner needs no password');
    });
  });
}
