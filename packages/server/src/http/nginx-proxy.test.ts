// The nginx recipe (deploy/nginx/sendbay.conf) in front of the real server, with a real
// nginx: a 100 MB upload streams through (the progress URL, read through nginx too,
// moves before the body has ended: nginx does not buffer it), the bytes come back intact
// through nginx, nginx's request id is the one Sendbay logs and answers, and /metrics
// stays inside. Needs nginx: SENDBAY_TEST_NGINX names the binary, else /usr/sbin/nginx.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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

describe(
  'behind nginx (deploy/nginx/sendbay.conf)',
  { skip: NGINX ? false : "no nginx: set SENDBAY_TEST_NGINX to its binary, or install Debian's nginx" },
  () => {
    let server: TestServer;
    let nginx: ChildProcess;
    let dir: string;
    let base: string;
    const lines: string[] = [];

    before(async () => {
      const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
      server = await startTestServer({ overrides: { logger } });
      dir = await mkdtemp(join(tmpdir(), 'sendbay-nginx-'));
      const port = await freePort();
      const upstreamPort = new URL(server.url).port;
      // The recipe as shipped, with only the addresses changed.
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
      nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      nginx.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${base}/healthz`)).ok) break;
        } catch {
          // not listening yet
        }
        if (i > 100 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    after(async () => {
      nginx?.kill('SIGQUIT');
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
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
  },
);
