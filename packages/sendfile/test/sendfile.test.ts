// The addon on its own: spans of a real file sent to a real TCP socket on loopback,
// readers that are slow, stall or leave, and transfers cancelled midway.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, rm, writeFile, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendfile, type SendfileAddon } from '../index.js';

const { errno } = constants;
const CONTENT = randomBytes(24 * 1024 * 1024); // several times a loopback socket's buffer

type Pair = { server: net.Socket; client: net.Socket; close: () => void };

/** A connected pair of TCP sockets on loopback: `server` sends, `client` reads. */
async function socketPair(): Promise<Pair> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  listener.close();
  return {
    server,
    client,
    close: () => {
      server.destroy();
      client.destroy();
    },
  };
}

function fdOf(socket: net.Socket): number {
  return (socket as unknown as { _handle: { fd: number } })._handle.fd;
}

/** Runs one transfer; resolves with the callback's (errno, bytesSent). */
function transfer(
  addon: SendfileAddon,
  socket: net.Socket,
  file: FileHandle,
  offset: number,
  length: number,
  idleMs = 10_000,
  onStart: (cancel: () => void) => void = () => {},
): Promise<[number, number]> {
  return new Promise((resolve) => {
    const handle = addon.start(fdOf(socket), file.fd, offset, length, idleMs, (code, sent) => resolve([code, sent]));
    onStart(() => addon.cancel(handle));
  });
}

function collect(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks))));
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sendfile addon', () => {
  let dir: string;
  let file: FileHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sendbay-sendfile-'));
    await writeFile(join(dir, 'blob'), CONTENT);
    file = await open(join(dir, 'blob'), 'r');
  });
  after(async () => {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is built on Linux, so downloads there never fall back to copying', { skip: process.platform !== 'linux' }, () => {
    assert.ok(sendfile, 'build/Release/sendfile.node is missing: run npm ci (it builds the addon)');
  });

  describe('with the addon', { skip: sendfile === undefined && 'the addon is not built on this platform' }, () => {
    const addon = sendfile as SendfileAddon;

    it('sends exactly the requested span of the file', async () => {
      const pair = await socketPair();
      const received = collect(pair.client);
      const [code, sent] = await transfer(addon, pair.server, file, 1_000_003, 20_000_000);
      pair.server.end();
      assert.deepEqual([code, sent], [0, 20_000_000]);
      assert.ok((await received).equals(CONTENT.subarray(1_000_003, 21_000_003)));
    });

    it('waits for a slow reader and loses nothing', async () => {
      const pair = await socketPair();
      pair.client.pause();
      const done = transfer(addon, pair.server, file, 0, CONTENT.length);
      await delay(300); // the socket's buffers fill and the transfer waits for room
      const received = collect(pair.client);
      pair.client.resume();
      assert.deepEqual(await done, [0, CONTENT.length]);
      pair.server.end();
      assert.ok((await received).equals(CONTENT));
    });

    it('sends nothing for an empty span and reports success', async () => {
      const pair = await socketPair();
      assert.deepEqual(await transfer(addon, pair.server, file, 5, 0), [0, 0]);
      pair.close();
    });

    it('stops when cancelled while the reader is not reading', async () => {
      const pair = await socketPair();
      pair.client.pause();
      let cancel = () => {};
      const done = transfer(addon, pair.server, file, 0, CONTENT.length, 10_000, (c) => (cancel = c));
      await delay(200);
      cancel();
      const [code, sent] = await done;
      assert.equal(code, errno.ECANCELED);
      assert.ok(sent > 0 && sent < CONTENT.length, `sent ${sent} of ${CONTENT.length}`);
      pair.close();
    });

    it('cuts off a reader that takes nothing for the idle time', async () => {
      const pair = await socketPair();
      pair.client.pause();
      const started = Date.now();
      const [code, sent] = await transfer(addon, pair.server, file, 0, CONTENT.length, 250);
      assert.equal(code, errno.ETIMEDOUT);
      assert.ok(sent < CONTENT.length);
      assert.ok(Date.now() - started >= 240, 'not before the idle time');
      pair.close();
    });

    it('reports a reader that went away', async () => {
      const pair = await socketPair();
      pair.server.on('error', () => {}); // Node's side sees the reset too
      pair.client.pause();
      const done = transfer(addon, pair.server, file, 0, CONTENT.length);
      await delay(100);
      pair.client.resetAndDestroy();
      const [code, sent] = await done;
      assert.ok(code === errno.ECONNRESET || code === errno.EPIPE, `errno ${code}`);
      assert.ok(sent < CONTENT.length);
      pair.server.destroy();
    });

    it('reports a file shorter than the span instead of waiting for bytes that never come', async () => {
      const pair = await socketPair();
      const received = collect(pair.client);
      const [code, sent] = await transfer(addon, pair.server, file, CONTENT.length - 10, 100);
      assert.deepEqual([code, sent], [errno.EIO, 10]);
      pair.server.end();
      assert.equal((await received).length, 10);
    });

    it('refuses negative descriptors, offsets and lengths', async () => {
      const pair = await socketPair();
      const fd = fdOf(pair.server);
      const cb = () => assert.fail('no transfer may start');
      assert.throws(() => addon.start(-1, file.fd, 0, 1, 1000, cb), RangeError);
      assert.throws(() => addon.start(fd, file.fd, -1, 1, 1000, cb), RangeError);
      assert.throws(() => addon.start(fd, file.fd, 0, -1, 1000, cb), RangeError);
      assert.throws(() => addon.start(fd, file.fd, 0, 1, 0, cb), RangeError);
      pair.close();
    });

    it('throws for a descriptor that is not open, and starts nothing', async () => {
      assert.throws(
        () => addon.start(1_000_000, file.fd, 0, 1, 1000, () => assert.fail('no transfer may start')),
        /cannot duplicate the socket/,
      );
      await delay(50); // a stray callback or handle would show up by now
    });

    it('keeps sending through its own descriptor when the socket is closed on the Node side', async () => {
      // The transfer holds a dup of the socket: closing Node's descriptor (which the
      // kernel may hand to the next open()) never redirects the bytes elsewhere.
      const pair = await socketPair();
      pair.client.pause();
      let cancel = () => {};
      const done = transfer(addon, pair.server, file, 0, CONTENT.length, 10_000, (c) => (cancel = c));
      await delay(100);
      pair.server.destroy();
      const other = await open(join(dir, 'blob'), 'r'); // likely takes the freed number
      const received = collect(pair.client);
      pair.client.resume();
      const [code, sent] = await done;
      assert.equal(code, 0, 'the kernel socket stayed open for the transfer');
      assert.equal(sent, CONTENT.length);
      cancel(); // after the end: a no-op
      await other.close();
      pair.client.destroy();
      const got = await received;
      assert.ok(got.equals(CONTENT.subarray(0, got.length)));
    });
  });
});
