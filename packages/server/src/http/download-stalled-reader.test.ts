// Fault: a client that stops reading in the middle of a download (its socket stays open,
// its receive window fills). With the sendfile path and with the copy path, the server
// cuts it off after SENDBAY_DOWNLOAD_IDLE_TIMEOUT, closes the stored file, and serves
// everyone else meanwhile and after.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { storeTestFile } from '../testing/stored-file.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const openOn = (key: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith(key);
    } catch {
      return false;
    }
  }).length;

for (const sendfile of ['on', 'off']) {
  describe(`a download whose client stops reading (sendfile ${sendfile})`, () => {
    let server: TestServer;
    let ownerId: string;
    let client: ReturnType<typeof connect> | undefined;
    before(async () => {
      server = await startTestServer({ env: { SENDBAY_DOWNLOAD_IDLE_TIMEOUT: '1', SENDBAY_SENDFILE: sendfile } });
      ownerId = (await server.userClient()).id;
    });
    // A failed assertion must not leave the stalled connection holding the server open.
    after(async () => {
      client?.destroy();
      await server.stop();
    });

    it('is cut off after the idle timeout, the file is closed, and others are served', async () => {
      const f = await storeTestFile(server.ctx, { ownerId, content: Buffer.alloc(64 * 1024 * 1024, 3) });
      const url = new URL(server.ctx.links.direct(f.id, f.delete_salt, f.name, 0));
      let received = 0;
      let stalling = true;
      const closed = new Promise<void>((resolve) => {
        const socket = (client = connect(Number(url.port), url.hostname, () => {
          socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
        }));
        socket.on('data', (c: Buffer) => {
          received += c.length;
          // Read the first bytes, then nothing more: the socket stays open.
          if (received > 256 * 1024 && stalling) socket.pause();
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
      const started = Date.now();
      for (let i = 0; i < 100 && received === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(received > 0, 'the download started');

      // Another client is served while the stalled one is stuck.
      const small = await storeTestFile(server.ctx, { ownerId, content: Buffer.from('meanwhile') });
      const res = await fetch(server.ctx.links.direct(small.id, small.delete_salt, small.name, 0));
      assert.equal(await res.text(), 'meanwhile');

      // A paused socket reads no FIN: the server's side is watched through the blob's descriptor.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(openOn(f.blob_key), 1, 'still waiting for the reader within the idle timeout');
      for (let i = 0; i < 500 && openOn(f.blob_key) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(openOn(f.blob_key), 0, 'cut off and the stored file closed after the idle timeout');
      assert.ok(Date.now() - started >= 900, 'not before the idle timeout');
      // Reading again, the client finds the connection ended short of the whole file.
      stalling = false;
      client!.resume();
      await closed;
      assert.ok(received < 64 * 1024 * 1024, `the stalled client did not get everything (${received})`);

      const again = await fetch(server.ctx.links.direct(small.id, small.delete_salt, small.name, 0));
      assert.equal(await again.text(), 'meanwhile');
    });
  });
}
