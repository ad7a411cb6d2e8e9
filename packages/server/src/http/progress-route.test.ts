// The progress URL over HTTP: read while an upload runs (the body sent slowly by the
// test), done once stored, fail for unknown identifiers; and a throttled upload seen
// through it (the server reads the body gradually, and the bytes arrive intact).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { FORM_TYPE, multipart, openRequest, partHead, send, sessionAnswer, uploadInfo, waitFor } from '../testing/upload-kit.js';

interface Progress {
  status: string;
  eta: string;
  speed: number;
  uploaded: number;
  total: number;
  elapsed: string;
  meter: number;
}

function parseProgress(xml: string): Progress {
  const text = (name: string) => {
    const v = new RegExp(`\\n {4}<${name}>([^<]*)</${name}>\\n`).exec(xml)?.[1];
    assert.ok(v !== undefined && v !== '', `<${name}> is present and not empty in ${xml}`);
    return v;
  };
  return {
    status: text('status'),
    eta: text('eta'),
    speed: Number(text('speed')),
    uploaded: Number(text('uploaded_bytes')),
    total: Number(text('total_size')),
    elapsed: text('elapsed'),
    meter: Number(text('meter')),
  };
}

describe('the progress URL', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const progress = async (url: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await fetch(url, { method });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    return parseProgress(await res.text());
  };

  it('reports ok with the bytes read so far while the body is still arriving, then done', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const content = randomBytes(300_000);
    const head = Buffer.from(partHead({ name: 'userfile', filename: 'slow.bin', content: '' }));
    const tail = Buffer.from(`\r\n--${FORM_TYPE.split('boundary=')[1]}--\r\n`);
    const total = head.length + content.length + tail.length;
    const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': total } });

    // Nothing sent yet: a known identifier reads as ok (not started), all zeros.
    const idle = await progress(info.progress_url);
    assert.equal(idle.status, 'ok');
    assert.equal(idle.meter, 0);

    req.write(head);
    req.write(content.subarray(0, 100_000));
    const running = await waitFor(async () => {
      const p = await progress(info.progress_url);
      return p.uploaded >= head.length + 100_000 ? p : undefined;
    });
    assert.equal(running.status, 'ok');
    assert.equal(running.uploaded, head.length + 100_000, 'exactly the bytes sent so far');
    assert.equal(running.total, total, 'total_size is the Content-Length');
    assert.ok(running.meter > 0 && running.meter < 100, `meter ${running.meter}`);
    assert.match(running.eta, /^\d\d:\d\d:\d\d$/);
    assert.match(running.elapsed, /^\d\d:\d\d:\d\d$/);
    assert.ok(Number.isInteger(running.speed) && running.speed >= 0);
    assert.equal((await progress(info.progress_url, 'POST')).uploaded, running.uploaded, 'POST reads the same');

    req.write(content.subarray(100_000));
    req.end(tail);
    assert.equal(sessionAnswer((await answer).text).status, 'ok');
    const done = await progress(info.progress_url);
    assert.equal(done.status, 'done');
    assert.equal(done.meter, 100);
    assert.equal(done.uploaded, total);
  });

  it('reads fail for an unknown or malformed identifier, and accepts the identifier in the query', async () => {
    assert.equal((await progress(`${server.url}/progress/unknown`)).status, 'fail');
    assert.equal((await progress(`${server.url}/progress/${'a'.repeat(300)}`)).status, 'fail');
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    assert.equal((await progress(`${server.url}/progress?UPLOAD_IDENTIFIER=${info.upload_identifier}`)).status, 'ok');
    const preflight = await fetch(info.progress_url, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  });

  it('throttles an upload to its speed_limit: the body is read gradually and arrives intact', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client, { speed_limit: 1024 });
    // Well above the few hundred kB the stream stages buffer, so most of it is paced.
    const content = randomBytes(1536 * 1024);
    const body = multipart([{ name: 'userfile', filename: 'throttled.bin', content }]);
    const pending = send(info.url, body);
    // Left alone, loopback moves this in milliseconds; throttled, the server takes it in
    // slices, so the progress URL sees several partial figures before the end.
    const partial = new Set<number>();
    for (;;) {
      const p = await progress(info.progress_url);
      if (p.status !== 'ok') break;
      if (p.uploaded > 0 && p.uploaded < body.length) partial.add(p.uploaded);
      await new Promise((r) => setTimeout(r, 25));
    }
    const a = sessionAnswer((await pending).text);
    assert.equal(a.status, 'ok');
    assert.ok(partial.size >= 3, `the body was read gradually (partial figures seen: ${[...partial].join(', ')})`);
    const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', a.fileIds[0]!).executeTakeFirstOrThrow();
    assert.equal(row.size, content.length);
    assert.equal(row.sha256, createHash('sha256').update(content).digest('hex'));
  });
});
