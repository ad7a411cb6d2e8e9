// Uploads stream: 256 MiB generated on the fly (never held by the test) goes through the
// upload POST while this process's resident memory stays far below the file's size.
// (bench/upload-rss.mjs does the same with 1 GiB against a separate server process.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { FORM_TYPE, openRequest, partHead, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

const MB = 1024 * 1024;
const SIZE = 256 * MB;

describe('upload memory', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it(`keeps RSS flat while ${SIZE / MB} MiB stream through`, async () => {
    const { client } = await server.userClient({ plan: 'pro' });
    const info = await uploadInfo(client);
    const head = Buffer.from(partHead({ name: 'userfile', filename: 'big.bin', content: '' }));
    const tail = Buffer.from(`\r\n--${FORM_TYPE.split('boundary=')[1]}--\r\n`);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    try {
      const { req, answer } = openRequest(info.url, {
        headers: { 'content-type': FORM_TYPE, 'content-length': head.length + SIZE + tail.length },
      });
      req.write(head);
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      for (let sent = 0; sent < SIZE; sent += chunk.length) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end(tail);
      const a = sessionAnswer((await answer).text);
      assert.equal(a.status, 'ok');
      const row = await server.ctx.db.selectFrom('files').select('size').where('id', '=', a.fileIds[0]!).executeTakeFirstOrThrow();
      assert.equal(row.size, SIZE);
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - base) / MB;
    // Buffering the file would grow RSS by at least its size; streaming costs a few tens of MB.
    assert.ok(growth < SIZE / MB / 2, `RSS grew by ${growth.toFixed(1)} MiB for a ${SIZE / MB} MiB upload`);
  });
});
