// Uploads over a raw TCP socket whose client half-closes (socket.end(): shutdown of its
// sending side) once the request is written: a whole upload is answered, a cut one
// leaves nothing behind, and the server keeps serving. Also: a form of more than ten
// files stores them all without a MaxListenersExceededWarning.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { assertNoUploadLeftovers, FORM_TYPE, multipart, send, sessionAnswer, uploadInfo, waitFor } from '../testing/upload-kit.js';

/** Writes `head` + `body` on a fresh socket, half-closes it, and resolves with all it reads until the server closes. */
function halfClosedRequest(url: string, head: string, body: Buffer): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(head);
      socket.end(body);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('an upload from a client that half-closes its side', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const requestHead = (url: string, length: number) => {
    const u = new URL(url);
    return (
      `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${FORM_TYPE}\r\n` + `Content-Length: ${length}\r\n\r\n`
    );
  };

  it('gets its answer once the whole upload was sent, and the file is stored', async () => {
    const { client } = await server.userClient();
    for (const size of [10, 300_000]) {
      const info = await uploadInfo(client);
      const body = multipart([{ name: 'userfile', filename: 'half.bin', content: Buffer.alloc(size, 7) }]);
      const raw = await halfClosedRequest(info.url, requestHead(info.url, body.length), body);
      assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/, raw.slice(0, 200));
      const answer = sessionAnswer(raw.slice(raw.indexOf('\r\n\r\n') + 4));
      assert.equal(answer.status, 'ok', raw);
      const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', answer.fileIds[0]!).executeTakeFirstOrThrow();
      assert.equal(Number(row.size), size);
    }
  });

  it('leaves nothing behind when the body stops short, and the server keeps serving', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const body = multipart([{ name: 'userfile', filename: 'cut.bin', content: Buffer.alloc(200_000, 1) }]);
    const raw = await halfClosedRequest(info.url, requestHead(info.url, body.length), body.subarray(0, 100_000));
    assert.doesNotMatch(raw, /upload_status=ok/);
    await waitFor(async () => ((await server.ctx.uploads.progress(info.upload_identifier)).status === 'fail' ? true : undefined));
    await assertNoUploadLeftovers(server);
    const next = await uploadInfo(client);
    const ok = await send(next.url, multipart([{ name: 'userfile', filename: 'after.txt', content: 'still serving' }]));
    assert.equal(sessionAnswer(ok.text).status, 'ok', ok.text);
  });

  it('stores a form of more than ten files without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { client } = await server.userClient();
      const info = await uploadInfo(client);
      const parts = Array.from({ length: 15 }, (_, i) => ({
        name: i === 0 ? 'userfile' : `userfile${i + 1}`,
        filename: `f${i}.txt`,
        content: `file ${i}`,
      }));
      const answer = sessionAnswer((await send(info.url, multipart(parts))).text);
      assert.equal(answer.status, 'ok');
      assert.equal(answer.fileIds.length, 15);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  });
});
