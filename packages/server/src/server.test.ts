// The server process: health, shutdown that lets running requests finish, start-up errors.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { parseResult } from '@sendbay/client';
import { startTestServer } from './testing/test-server.js';

describe('the server process', () => {
  it('answers /healthz with 200 while the database answers', async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    } finally {
      await server.stop();
    }
  });

  it('answers /readyz with 503 naming each backend that does not answer (/healthz stays alive)', async () => {
    const server = await startTestServer();
    try {
      assert.deepEqual(
        server.ctx.health.map((h) => h.name),
        ['database', 'blobs'],
      );
      server.ctx.health.push({ name: 'cache', check: () => Promise.reject(new Error('connection refused')) });
      const res = await fetch(`${server.url}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; down: string[] };
      assert.deepEqual([body.status, body.down], ['unavailable', ['cache']]);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.stop();
    }
  });

  it('serves a home page naming its API address', async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok((await res.text()).includes(`${server.config.publicUrl}/rest/`));
    } finally {
      await server.stop();
    }
  });

  it('lets a running request finish when it is asked to stop', async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    const body = 'method=auth.createToken&api_key=k&api_version=1.2';
    let closed = false;
    const answer = new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/rest/',
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      // Half the body now; the rest only after shutdown has begun.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        const stopping = server.stop().then(() => (closed = true));
        setTimeout(() => {
          assert.equal(closed, false, 'shutdown waits for the running request');
          req.end(body.slice(10));
        }, 200);
        void stopping;
      }, 100);
    });
    const xml = await answer;
    assert.equal(parseResult(xml).status, 'ok');
    await server.stop();
    assert.equal(closed, true);
  });

  it('refuses to start with an unusable database and leaves nothing running', async () => {
    await assert.rejects(
      startTestServer({ env: { SENDBAY_DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' } }),
      /ECONNREFUSED|connect/,
    );
  });
});
