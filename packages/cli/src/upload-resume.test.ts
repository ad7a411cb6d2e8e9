/**
 * `sbay upload` of a large file is resumable, run as a user would run it against the
 * real server on loopback: a connection cut mid-way is continued within the run, and
 * a run killed mid-way (kill -9) is continued by the next run on the same file, which
 * sends only what the server does not have yet and prints the link.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request, createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCuttingProxy } from '../../server/src/tus/cutting-proxy.js';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { runSbay, spawnSbay } from './cli-kit.js';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A TCP proxy that, once armed, forwards only so many bytes towards the server and then
 * holds the rest back (a stalled network), until released; it counts what it forwards.
 */
async function startStallingProxy(target: { host: string; port: number }) {
  let budget = Infinity;
  let forwarded = 0;
  let onStall: (() => void) | undefined;
  const waiting = new Set<() => void>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    upstream.pipe(client);
    // Held-back bytes are kept here rather than by pausing the socket: a paused socket
    // would not notice its client going away, and the point is that the server does.
    const held: Buffer[] = [];
    const flush = () => held.splice(0).forEach(send);
    const send = (chunk: Buffer): void => {
      if (upstream.destroyed) return;
      const room = budget - forwarded;
      if (room <= 0 || held.length > 0) {
        held.push(chunk);
        if (held.length === 1) waiting.add(flush);
        onStall?.();
        return;
      }
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      forwarded += piece.length;
      upstream.write(piece);
      if (piece.length < chunk.length) send(chunk.subarray(piece.length));
    };
    client.on('data', send);
    client.on('end', () => upstream.end());
    client.on('close', () => {
      // What a dead client sent but the server never got is gone with it.
      waiting.delete(flush);
      held.length = 0;
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    target,
    get forwarded() {
      return forwarded;
    },
    /** From now on, forwards `bytes` more and then stalls; resolves when it does. */
    stallAfter(bytes: number): Promise<void> {
      forwarded = 0;
      budget = bytes;
      return new Promise((r) => (onStall = r));
    },
    release(): void {
      forwarded = 0;
      budget = Infinity;
      onStall = undefined;
      const resume = [...waiting];
      waiting.clear();
      for (const w of resume) w();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * An HTTP proxy in front of the server. `noTus`: /tus/ answers 404 (a sendspace server
 * without tus). `bodyCap`: a request announcing a longer body gets the proxy's own 413,
 * as nginx's client_max_body_size answers (reading the body to the end, so that the
 * client hears it). It notes every PATCH.
 */
async function startHttpProxy(target: { port: number }, o: { noTus?: boolean; bodyCap?: number }) {
  let tusRequests = 0;
  const patches: { length: number; status: number }[] = [];
  const server = createHttpServer((req, res) => {
    const length = Number(req.headers['content-length'] ?? 0);
    const note = (status: number) => req.method === 'PATCH' && patches.push({ length, status });
    if (req.url?.startsWith('/tus/')) tusRequests++;
    if (o.noTus && req.url?.startsWith('/tus/')) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    if (o.bodyCap !== undefined && length > o.bodyCap) {
      note(413);
      req.resume();
      res.writeHead(413, { 'content-type': 'text/html' }).end('<html><body>413 Request Entity Too Large</body></html>\n');
      return;
    }
    const up = request({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      note(r.statusCode ?? 502);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    target,
    patches,
    get tusRequests() {
      return tusRequests;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('sbay upload resumes', () => {
  let home: string;
  let work: string;
  const body = randomBytes(12 * MB + 5);
  let src: string;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'sbay-home-'));
    work = await mkdtemp(join(tmpdir(), 'sbay-work-'));
    src = join(work, 'big.bin');
    await writeFile(src, body);
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  /**
   * A server behind `proxy` (its upload URLs point at the proxy), the proxy pointed at it,
   * and sbay logged in through it. Should the login fail, server and proxy are closed.
   */
  async function serverBehind(
    proxy: { url: string; target: { port: number }; close(): Promise<void> },
    config: string,
  ): Promise<{ server: TestServer; env: Record<string, string> }> {
    const server = await startTestServer({ env: { SENDBAY_PUBLIC_URL: proxy.url } });
    proxy.target.port = Number(new URL(server.url).port);
    const { email, password } = await server.userClient();
    const env = { XDG_CONFIG_HOME: join(home, config), HOME: home, SBAY_PASSWORD: password };
    const login = await runSbay(['login', '--server', proxy.url, '--email', email], { env, cwd: work });
    if (login.code !== 0) {
      await server.stop();
      await proxy.close();
      assert.fail(`login through the proxy: ${login.stderr}`);
    }
    return { server, env };
  }

  async function downloadedSha(env: Record<string, string>, server: string, id: string, name: string): Promise<string> {
    const out = join(work, name);
    const r = await runSbay(['download', id, '-o', out, '--server', server], { env, cwd: work });
    assert.equal(r.code, 0, r.stderr);
    return sha(await readFile(out));
  }

  it('after a dropped connection within one run, to identical bytes', async () => {
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: 0 }, [3 * MB, 8 * MB]);
    const { server, env } = await serverBehind(proxy, 'cut');
    try {
      const r = await runSbay(['upload', src, '--json'], { env, cwd: work });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(proxy.cuts >= 2, `the connection was cut (${proxy.cuts})`);
      const [up] = JSON.parse(r.stdout) as { fileId: string; downloadUrl: string; file: { fileSize: number } }[];
      assert.match(up!.downloadUrl, /\/file\/[a-z0-9]{6}$/);
      assert.equal(up!.file.fileSize, body.length);
      assert.equal(await downloadedSha(env, proxy.url, up!.fileId, 'cut-got.bin'), sha(body));
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it('after a killed run: the next run continues from the server offset, sends only the rest and prints the link', async () => {
    const proxy = await startStallingProxy({ host: '127.0.0.1', port: 0 });
    const { server, env } = await serverBehind(proxy, 'killed');
    try {
      const stalled = proxy.stallAfter(5 * MB);
      const first = spawnSbay(['upload', src, '--quiet'], { env, cwd: work });
      await stalled;
      first.child.kill('SIGKILL');
      const killed = await first.done;
      assert.equal(killed.stdout, '', 'the killed run printed no link');

      // The run kept its upload URL, for its owner's eyes only.
      const store = join(home, 'killed', 'sendbay', 'uploads.json');
      assert.equal((await stat(store)).mode & 0o777, 0o600);
      const entries = Object.values(JSON.parse(await readFile(store, 'utf8')) as Record<string, { url: string }>);
      assert.equal(entries.length, 1);
      const direct = new URL(new URL(entries[0]!.url).pathname, server.url).href;
      // What reached the server before the kill is kept (and synced) once the cut connection is noticed.
      let offset = 0;
      for (let i = 0; i < 200 && offset === 0; i++) {
        const head = await fetch(direct, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
        offset = Number(head.headers.get('upload-offset'));
        if (offset === 0) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(offset > 2 * MB && offset < body.length, `the server kept part of the file (${offset})`);

      proxy.release();
      const second = await runSbay(['upload', src], { env, cwd: work });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^big\.bin\thttp:\/\/127\.0\.0\.1:\d+\/file\/[a-z0-9]{6}\n$/);
      const from = Number(/continuing an earlier upload from (\d+) bytes/.exec(second.stderr)?.[1]);
      assert.ok(from >= offset, `continued from the server's offset: ${second.stderr}`);
      // The second run's traffic through the proxy: the rest of the file plus a few small requests.
      assert.ok(proxy.forwarded < body.length - offset + 256 * 1024, `sent ${proxy.forwarded} bytes of ${body.length}`);
      assert.deepEqual(JSON.parse(await readFile(store, 'utf8')), {}, 'the finished upload is forgotten');

      const id = /\/file\/([a-z0-9]{6})$/m.exec(second.stdout)![1]!;
      assert.equal(await downloadedSha(env, proxy.url, id, 'killed-got.bin'), sha(body));
      const files = await server.ctx.db.selectFrom('files').select('id').execute();
      assert.equal(files.length, 1, 'one file, not one per run');
    } finally {
      proxy.release();
      await proxy.close();
      await server.stop();
    }
  });

  it('sends 256 MiB per PATCH unless told; behind a proxy capping bodies it halves them by itself, or takes --chunk-size', async () => {
    const proxy = await startHttpProxy({ port: 0 }, { bodyCap: 5 * MB });
    const { server, env } = await serverBehind(proxy, 'capped');
    try {
      const halved = await runSbay(['upload', src, '--json', '--quiet'], { env, cwd: work });
      assert.equal(halved.code, 0, halved.stderr);
      // The whole file (under the default chunk) first, then halves until one passes the cap.
      const half = Math.floor(body.length / 2);
      const quarter = Math.floor(half / 2);
      const expected = [
        [body.length, 413],
        [half, 413],
      ];
      for (let at = 0; at < body.length; at += quarter) expected.push([Math.min(quarter, body.length - at), 204]);
      assert.deepEqual(
        proxy.patches.map((p) => [p.length, p.status]),
        expected,
      );
      const [up] = JSON.parse(halved.stdout) as { fileId: string }[];
      assert.equal(await downloadedSha(env, proxy.url, up!.fileId, 'capped-got.bin'), sha(body));

      proxy.patches.length = 0;
      const told = await runSbay(['upload', src, '--quiet', '--chunk-size', '4M'], { env, cwd: work });
      assert.equal(told.code, 0, told.stderr);
      assert.deepEqual(
        proxy.patches.map((p) => [p.length, p.status]),
        [
          [4 * MB, 204],
          [4 * MB, 204],
          [4 * MB, 204],
          [5, 204],
        ],
      );
      const bad = await runSbay(['upload', src, '--chunk-size', 'lots'], { env, cwd: work });
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr, 'sbay: --chunk-size lots: give bytes, or a number with K, M or G\n');
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  it('falls back to the form on a server without tus; --anonymous sends large files in the form and prints the delete link', async () => {
    const proxy = await startHttpProxy({ port: 0 }, { noTus: true });
    const { server, env } = await serverBehind(proxy, 'no-tus');
    try {
      const r = await runSbay(['upload', src, '--json', '--quiet'], { env, cwd: work });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(proxy.tusRequests, 1, 'tus was tried once');
      const [up] = JSON.parse(r.stdout) as { fileId: string; file: { fileSize: number } }[];
      assert.equal(up!.file.fileSize, body.length);
      assert.equal(await downloadedSha(env, proxy.url, up!.fileId, 'no-tus-got.bin'), sha(body));

      const anon = await runSbay(['upload', src, '--anonymous', '--server', proxy.url, '--quiet'], {
        env: { XDG_CONFIG_HOME: join(home, 'anon') },
        cwd: work,
      });
      assert.equal(anon.code, 0, anon.stderr);
      assert.match(anon.stdout, /^big\.bin\thttp\S+\/file\/[a-z0-9]{6}\n {2}delete: http\S+\n$/);
      assert.equal(proxy.tusRequests, 1, 'an anonymous upload does not try tus');
    } finally {
      await proxy.close();
      await server.stop();
    }
  });
});
