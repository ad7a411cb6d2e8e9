// Large downloads through the direct link, once with sendfile (the default on Linux) and
// once copied through user space (SENDBAY_SENDFILE=off): the same bytes, ranges and
// kept-alive connections either way, and a stalled reader is cut off and its file closed.
import { sendfile } from '@sendbay/sendfile';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FileRow } from '../metadata/repositories/files.js';
import { storeTestFile } from '../testing/stored-file.js';
import { downloadPath } from './socket-sendfile.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const CONTENT = randomBytes(24 * 1024 * 1024); // more than loopback's socket buffers hold

/** Descriptors of this process open on the blob (the test server runs in-process). */
function openOnBlob(blobKey: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith(blobKey);
    } catch {
      return false;
    }
  }).length;
}

type Answer = { status: number; body: Buffer; reusedSocket: boolean };

function get(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const mode of ['on', 'off'] as const) {
  const viaSendfile = mode === 'on' && sendfile !== undefined;

  describe(`large downloads with SENDBAY_SENDFILE=${mode}`, () => {
    let server: TestServer;
    let f: FileRow;
    let agent: http.Agent;
    let transfers = 0;
    const realStart = sendfile?.start;

    before(async () => {
      server = await startTestServer({ env: { SENDBAY_SENDFILE: mode, SENDBAY_DOWNLOAD_IDLE_TIMEOUT: '1' } });
      const owner = await server.userClient();
      f = await storeTestFile(server.ctx, { ownerId: owner.id, name: 'big.bin', content: CONTENT });
      // Counts the transfers handed to the kernel, to know which path answered.
      if (sendfile && realStart) {
        sendfile.start = (...args) => {
          transfers++;
          return realStart.apply(sendfile, args);
        };
      }
    });
    after(async () => {
      if (sendfile && realStart) sendfile.start = realStart;
      await server.stop();
    });
    beforeEach(() => {
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      transfers = 0;
    });
    afterEach(() => agent.destroy());

    const link = () => server.ctx.links.direct(f.id, f.delete_salt, f.name, 0);

    it(`sends every byte ${viaSendfile ? 'through sendfile' : 'copied through user space'}`, async () => {
      const res = await get(agent, link());
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(CONTENT));
      assert.equal(transfers, viaSendfile ? 1 : 0);
    });

    it('sends a range from the middle of the file', async () => {
      const res = await get(agent, link(), { range: 'bytes=1000001-9000000' });
      assert.equal(res.status, 206);
      assert.ok(res.body.equals(CONTENT.subarray(1_000_001, 9_000_001)));
    });

    it('answers one request after another on a kept-alive connection', async () => {
      const answers: Answer[] = [];
      for (const range of [undefined, 'bytes=-70000', 'bytes=0-99', undefined]) {
        answers.push(await get(agent, link(), range ? { range } : {}));
      }
      assert.deepEqual(
        answers.map((a) => a.reusedSocket),
        [false, true, true, true],
      );
      assert.ok(answers[0]!.body.equals(CONTENT));
      assert.ok(answers[1]!.body.equals(CONTENT.subarray(CONTENT.length - 70_000)));
      assert.ok(answers[2]!.body.equals(CONTENT.subarray(0, 100)));
      assert.ok(answers[3]!.body.equals(CONTENT));
      assert.equal(transfers, viaSendfile ? 3 : 0, 'a 100-byte answer is not worth handing over');
    });

    it('answers pipelined requests in order, each intact', async () => {
      const url = new URL(link());
      const socket = net.connect(Number(url.port), url.hostname);
      const request = (range: string) => `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nRange: bytes=${range}\r\n\r\n`;
      // Both requests in one write: the second waits while the first is being sent.
      socket.write(request('0-5000000') + request('7000000-7099999'));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const expected = 5_000_001 + 100_000;
      const start = Date.now();
      while (Buffer.concat(chunks).length < expected && Date.now() - start < 10_000) await delay(20);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const firstBody = all.indexOf('\r\n\r\n') + 4;
      assert.ok(all.subarray(firstBody, firstBody + 5_000_001).equals(CONTENT.subarray(0, 5_000_001)));
      const rest = all.subarray(firstBody + 5_000_001);
      assert.match(rest.toString('latin1', 0, 20), /^HTTP\/1\.1 206 /);
      const secondBody = rest.indexOf('\r\n\r\n') + 4;
      assert.ok(rest.subarray(secondBody).equals(CONTENT.subarray(7_000_000, 7_100_000)));
    });

    it('serves a segmented download: four ranges at once add up to the file', async () => {
      const quarter = CONTENT.length / 4;
      const parts = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          get(new http.Agent(), link(), { range: `bytes=${i * quarter}-${(i + 1) * quarter - 1}` }).then((a) => {
            assert.equal(a.status, 206);
            return a.body;
          }),
        ),
      );
      assert.ok(Buffer.concat(parts).equals(CONTENT));
    });

    it('cuts off a reader that takes nothing for the idle timeout, and closes the file', async () => {
      const url = new URL(link());
      const socket = net.connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
      socket.pause(); // reads nothing: both sides' buffers fill, then nothing moves
      await delay(300);
      assert.equal(openOnBlob(f.blob_key), 1, 'the download is running');
      const started = Date.now();
      while (openOnBlob(f.blob_key) > 0 && Date.now() - started < 5_000) await delay(20);
      assert.equal(openOnBlob(f.blob_key), 0, 'the file is closed about a second after the reader stalled');
      // What the reader finds when it comes back: a cut answer, then the end.
      let received = 0;
      socket.on('data', (c: Buffer) => (received += c.length));
      await new Promise<void>((r) => socket.on('close', () => r()).resume());
      assert.ok(received < CONTENT.length, `received ${received} bytes`);
    });
  });
}

describe('the download path named at start-up', () => {
  it('is sendfile on Linux with the addon built, and copying when switched off', () => {
    if (process.platform === 'linux') assert.deepEqual(downloadPath(true), { path: 'sendfile' });
    else assert.equal(downloadPath(true).path, 'copy');
    assert.deepEqual(downloadPath(false), { path: 'copy', why: 'SENDBAY_SENDFILE=off' });
  });
});
