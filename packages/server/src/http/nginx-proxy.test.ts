// The nginx recipe (deploy/nginx/sendbay.conf) in front of the real server, with a real
// nginx: a 100 MB upload streams through (the progress URL, read through nginx too,
// moves before the body has ended: nginx does not buffer it), the bytes come back intact
// through nginx, nginx's request id is the one Sendbay logs and answers, and /metrics
// stays inside. With SENDBAY_TRUST_PROXY naming nginx the server sees the real client
// (in its access log and its per-address login limit) from nginx's X-Forwarded-For, and
// a client's own forged header does not fool it; without it the header is ignored and
// every client is nginx. Clients connect from 127.0.0.2 and 127.0.0.3 (Linux answers the
// whole of 127.0.0.0/8 on loopback) so that they differ from nginx's 127.0.0.1.
// Needs nginx: SENDBAY_TEST_NGINX names the binary, else /usr/sbin/nginx.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { md5 } from '@sendbay/client';
import pino from 'pino';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { BOUNDARY, partHead, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

/** SENDBAY_TEST_NGINX names the binary; otherwise Debian's, when it is installed. */
const NGINX = process.env.SENDBAY_TEST_NGINX ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
const RECIPE = fileURLToPath(new URL('../../../../deploy/nginx/sendbay.conf', import.meta.url));
const SIZE = 100 * 1024 * 1024;
const CHUNK = 256 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Chunk `i` of the deterministic 100 MB body: no file of that size is ever held in memory. */
function chunk(i: number): Buffer {
  const b = Buffer.alloc(CHUNK);
  for (let o = 0; o < CHUNK; o += 4) b.writeUInt32LE((i * CHUNK + o) >>> 0, o);
  return b;
}

interface Nginx {
  base: string;
  stop(): Promise<void>;
}

/** A real nginx running the recipe as shipped, with only its two addresses changed. */
async function startNginx(upstreamPort: string): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'sendbay-nginx-'));
  const port = await freePort();
  const recipe = readFileSync(RECIPE, 'utf8')
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`)
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  assert.notEqual(recipe, readFileSync(RECIPE, 'utf8'));
  await writeFile(join(dir, 'sendbay.conf'), recipe);
  await writeFile(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/sendbay.conf;
}
`,
  );
  const nginx: ChildProcess = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop };
    } catch {
      // not listening yet
    }
    if (i > 100 || nginx.exitCode !== null) {
      await stop();
      throw new Error(`nginx did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A logger that keeps the server's JSON lines for the test to read. */
function linesLogger(lines: string[]): pino.Logger {
  return pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
}

/** A GET from a chosen loopback address (fetch cannot pick its source address). */
function getFrom(
  from: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress: from, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An API login through nginx from `from`: createToken, then auth.login; the login's answer. */
async function loginFrom(base: string, from: string, email: string, password: string): Promise<string> {
  const rest = (params: Record<string, string>) => getFrom(from, `${base}/rest/?${new URLSearchParams(params).toString()}`);
  const created = await rest({ method: 'auth.createToken', api_key: 'k', api_version: '1.2' });
  const token = /<token>([^<]+)<\/token>/.exec(created.text)?.[1] ?? '';
  const answer = await rest({ method: 'auth.login', token, user_name: email, tokened_password: md5(token + md5(password)) });
  return answer.text;
}

/** SENDBAY_LOGIN_MAX_FAILURES=1 makes the per-address limit 10 failed logins. */
async function failTenLogins(base: string, from: string): Promise<void> {
  for (let i = 0; i < 10; i++) assert.match(await loginFrom(base, from, `nobody-${i}@example.com`, 'x'), /code="8"/);
}

/** The client address the access log gave the request that answered with `reqId`. */
async function loggedClient(server: TestServer, lines: string[], reqId: string | string[] | undefined): Promise<unknown> {
  // The line is written when the server's side of the response closes, which may come
  // just after the client has read the whole answer.
  for (let tries = 0; ; tries++) {
    await server.ctx.log.flush();
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === reqId);
    if (line) return line.client;
    assert.ok(tries < 50, `an access-log line with request id ${String(reqId)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(
  'behind nginx (deploy/nginx/sendbay.conf)',
  { skip: NGINX ? false : "no nginx: set SENDBAY_TEST_NGINX to its binary, or install Debian's nginx" },
  () => {
    let server: TestServer;
    let proxy: Nginx;
    let base: string;
    const lines: string[] = [];

    before(async () => {
      // nginx reaches Sendbay from 127.0.0.1: the recipe's step 3.
      server = await startTestServer({
        env: { SENDBAY_TRUST_PROXY: '127.0.0.1', SENDBAY_LOGIN_MAX_FAILURES: '1' },
        overrides: { logger: linesLogger(lines) },
      });
      proxy = await startNginx(new URL(server.url).port);
      base = proxy.base;
    });
    after(async () => {
      await proxy?.stop();
      await server?.stop();
    });

    it(
      'streams a 100 MB upload to Sendbay (progress moves before the body ends) and serves it back intact',
      { timeout: 600_000 },
      async () => {
        const u = await server.userClient();
        const info = await uploadInfo(u.client);
        const path = new URL(info.url);
        const progressPath = new URL(info.progress_url);
        const head = Buffer.from(partHead({ name: 'userfile', filename: 'hundred.bin', content: '' }));
        const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
        const sent = createHash('sha256');
        const seen: number[] = [];

        const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(`${base}${path.pathname}${path.search}`, {
            method: 'POST',
            headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': head.length + SIZE + tail.length },
          });
          req.on('response', (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on('error', reject);
          req.write(head);
          let i = 0;
          const total = SIZE / CHUNK;
          const pump = async () => {
            while (i < total) {
              const c = chunk(i++);
              sent.update(c);
              if (!req.write(c)) await new Promise((r) => req.once('drain', r));
              // Halfway: ask for progress through nginx while the body is still coming.
              if (i === total / 2) {
                for (let tries = 0; tries < 50; tries++) {
                  const xml = await (await fetch(`${base}${progressPath.pathname}${progressPath.search}`)).text();
                  const n = Number(
                    /<uploaded_bytes>(\d+)<\/uploaded_bytes>/.exec(xml)?.[1] ?? /uploaded_bytes="(\d+)"/.exec(xml)?.[1] ?? 0,
                  );
                  seen.push(n);
                  if (n > 0) break;
                  await new Promise((r) => setTimeout(r, 100));
                }
              }
            }
            req.end(tail);
          };
          pump().catch(reject);
        });
        assert.equal(answer.status, 200);
        const a = sessionAnswer(answer.text);
        assert.equal(a.status, 'ok', answer.text);
        const moving = seen.filter((n) => n > 0 && n < SIZE);
        assert.ok(moving.length > 0, `progress through nginx during the upload: ${seen.join(', ')}`);

        const f = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', a.fileIds[0]!).executeTakeFirstOrThrow();
        assert.equal(f.size, SIZE);
        const link = new URL(server.ctx.links.direct(f.id, f.delete_salt, f.name, 0));
        const res = await fetch(`${base}${link.pathname}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-length'), String(SIZE));
        const got = createHash('sha256');
        let bytes = 0;
        for await (const c of res.body!) {
          got.update(c);
          bytes += c.length;
        }
        assert.equal(bytes, SIZE);
        assert.equal(got.digest('hex'), sent.digest('hex'));
      },
    );

    it("passes nginx's request id through to Sendbay's log and answer, and keeps /metrics inside", async () => {
      const res = await fetch(`${base}/healthz`);
      const id = res.headers.get('x-request-id');
      assert.match(id ?? '', /^[0-9a-f]{32}$/, "nginx's $request_id");
      await server.ctx.log.flush();
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === id);
      assert.ok(line, "the same id in Sendbay's access log");
      assert.equal(line.route, '/healthz');
      assert.equal((await fetch(`${base}/metrics`)).status, 404);
    });

    it("logs the real client's address from nginx's X-Forwarded-For, not nginx's, and not one the client forged", async () => {
      const plain = await getFrom('127.0.0.2', `${base}/healthz`);
      assert.equal(plain.status, 200);
      assert.equal(await loggedClient(server, lines, plain.headers['x-request-id']), '127.0.0.2');
      // nginx appends the address it saw to the client's own header: "203.0.113.9, 127.0.0.2".
      const forged = await getFrom('127.0.0.2', `${base}/healthz`, { 'x-forwarded-for': '203.0.113.9' });
      assert.equal(await loggedClient(server, lines, forged.headers['x-request-id']), '127.0.0.2');
    });

    it('limits failed logins per real client: one address locked out through nginx leaves another alone', async () => {
      await server.ctx.accounts.create({ email: 'behind-nginx@example.com', password: 'right' });
      await failTenLogins(base, '127.0.0.2');
      assert.match(await loginFrom(base, '127.0.0.2', 'behind-nginx@example.com', 'right'), /Too many failed logins/);
      assert.match(await loginFrom(base, '127.0.0.3', 'behind-nginx@example.com', 'right'), /status="ok"/);
    });

    describe('without SENDBAY_TRUST_PROXY', () => {
      let untrusting: TestServer;
      let untrustingProxy: Nginx;
      const untrustingLines: string[] = [];

      before(async () => {
        untrusting = await startTestServer({
          env: { SENDBAY_LOGIN_MAX_FAILURES: '1' },
          overrides: { logger: linesLogger(untrustingLines) },
        });
        untrustingProxy = await startNginx(new URL(untrusting.url).port);
      });
      after(async () => {
        await untrustingProxy?.stop();
        await untrusting?.stop();
      });

      it("ignores X-Forwarded-For: the access log names nginx's address", async () => {
        const res = await getFrom('127.0.0.2', `${untrustingProxy.base}/healthz`, { 'x-forwarded-for': '203.0.113.9' });
        assert.equal(res.status, 200);
        assert.equal(await loggedClient(untrusting, untrustingLines, res.headers['x-request-id']), '127.0.0.1');
      });

      it("counts every client's failed logins against nginx: one client locked out locks out all", async () => {
        await untrusting.ctx.accounts.create({ email: 'behind-nginx@example.com', password: 'right' });
        await failTenLogins(untrustingProxy.base, '127.0.0.2');
        assert.match(await loginFrom(untrustingProxy.base, '127.0.0.3', 'behind-nginx@example.com', 'right'), /Too many failed logins/);
      });
    });
  },
);
