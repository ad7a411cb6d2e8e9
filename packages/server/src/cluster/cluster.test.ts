// THE PROOF of cluster mode: three `sendbay serve` processes on one PostgreSQL, one S3
// bucket and one Redis, behind a real nginx (scripts/services/nginx.sh: round-robin,
// bodies streamed). Register and log in on one node; upload through the balancer while
// polling progress on every node; download from each; a tus upload cut on one node and
// resumed on another; a download limit of 1 under 50 concurrent downloads across nodes;
// a logout seen by every node at once; a node killed with SIGKILL mid-upload, the
// client's retry through the balancer, the sweeper leaving no object without a row and
// no open multipart upload; the killed node restarted and serving again with no manual
// step; and no blob on any node's disk.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { SendspaceClient } from '@sendbay/client';
import pg from 'pg';
import * as tus from 'tus-js-client';
import { randomKey } from '../lib/crypto.js';
import { startSmtpSink, mailText, type SmtpSink } from '../testing/smtp-sink.js';
import { WebAgent } from '../testing/web-agent.js';
import { skipWithoutRedis, testPrefix, testRedisUrl } from '../testing/test-redis.js';
import { testPostgresUrl } from '../testing/test-server.js';
import { FORM_TYPE, openRequest, partHead, send, sessionAnswer, multipart, waitFor } from '../testing/upload-kit.js';
import { clientUpload, createUpload, tusRequest } from '../tus/tus-test-kit.js';
import { clusterBlobs, type ClusterBlobs } from './cluster-blobs.js';
import { freePort, startNode, type NodeProcess } from './node-process.js';

const run = promisify(execFile);
const NGINX_SH = fileURLToPath(new URL('../../../../scripts/services/nginx.sh', import.meta.url));

const skip = skipWithoutRedis || (testPostgresUrl ? false : 'SENDBAY_TEST_DATABASE_URL is not set');
if (skip) console.log(`# skipping the cluster test: ${skip}`);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('cluster: three nodes behind nginx on PostgreSQL, S3 and Redis', { skip, timeout: 600_000 }, () => {
  let work: string;
  let dbName: string;
  let dbUrl: string;
  let smtp: SmtpSink;
  let blobs: ClusterBlobs;
  const nodes: NodeProcess[] = [];
  let balancer: string;
  let nginxDir: string;
  let db: pg.Client;
  let client: SendspaceClient;
  let email: string;
  const password = 'cluster-pw-1';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'sendbay-cluster-'));
    dbName = `sendbay_cluster_${randomKey(8).toLowerCase()}`;
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(testPostgresUrl as string);
    u.pathname = `/${dbName}`;
    dbUrl = u.href;
    smtp = await startSmtpSink();
    blobs = await clusterBlobs.create(work);

    const ports = [await freePort(), await freePort(), await freePort()];
    const nginxPort = await freePort();
    balancer = `http://127.0.0.1:${nginxPort}`;
    nginxDir = join(work, 'nginx');
    await run('bash', [NGINX_SH, 'start', nginxDir, String(nginxPort), ...ports.map((p) => `127.0.0.1:${p}`)]);

    const shared = {
      SENDBAY_PUBLIC_URL: balancer,
      SENDBAY_SECRET: 'cluster-secret-0123456789abcdef',
      SENDBAY_DATABASE_URL: dbUrl,
      SENDBAY_REDIS_URL: testRedisUrl as string,
      SENDBAY_REDIS_PREFIX: testPrefix(),
      SENDBAY_SMTP_URL: smtp.url,
      SENDBAY_TRUST_PROXY: '127.0.0.1',
      SENDBAY_LOG_LEVEL: 'warn',
      SENDBAY_ACCESS_LOG: 'off',
      // The sweeper looks every 2 s, at whatever is older than the one-minute minimum grace.
      SENDBAY_SWEEP_INTERVAL: '2',
      SENDBAY_ORPHAN_GRACE: '60',
    };
    // One after the other: the first migrates the database, the others find it done.
    for (const [i, port] of ports.entries()) {
      const dataDir = join(work, `node${i + 1}`);
      nodes.push(await startNode(`node${i + 1}`, port, { ...shared, SENDBAY_DATA_DIR: dataDir, ...blobs.env(dataDir) }));
    }
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await run('bash', [NGINX_SH, 'stop', nginxDir]).catch(() => {});
    await db?.end();
    await blobs?.drop();
    await smtp?.close();
    if (dbName) {
      const admin = new pg.Client({ connectionString: testPostgresUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
      await admin.end();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  const at = (node: NodeProcess, url: string) => url.replace(balancer, node.url);
  const onNode = (node: NodeProcess) => {
    const c = new SendspaceClient(node.url);
    c.sessionKey = client.sessionKey;
    return c;
  };

  it('registers on one node, activates through the balancer, and logs in on another', async () => {
    email = `ada-${randomKey(6)}@example.com`;
    const reg = await new SendspaceClient(nodes[0]!.url).call('auth.register', {
      api_key: 'k',
      full_name: 'Ada',
      email,
      password,
    });
    assert.equal(reg.status, 'ok', reg.xml);
    const [mail] = await smtp.waitFor(1);
    const link = /http:\/\/\S+\/activate\/[a-z0-9]{32}/.exec(mailText(mail!))?.[0];
    assert.ok(link?.startsWith(balancer), `the activation link names the balancer: ${link}`);
    // The link shows a button (on one node); its POST activates (on the next).
    const web = new WebAgent(balancer);
    assert.equal((await web.get(link!)).status, 200);
    assert.match((await web.post(link!, {})).text, /Your account is active/);
    client = new SendspaceClient(nodes[1]!.url);
    const login = await client.login(email, password);
    assert.equal(login.status, 'ok', login.xml);
    for (const n of nodes) assert.equal((await onNode(n).call('auth.checkSession')).status, 'ok', `${n.name} knows the session`);
  });

  let uploaded: { id: string; content: Buffer };
  it('uploads through the balancer while every node reports the progress, never going back; each node then serves the file', async () => {
    const viaBalancer = new SendspaceClient(balancer);
    viaBalancer.sessionKey = client.sessionKey;
    const info = (await viaBalancer.call('upload.getInfo')).body.upload as {
      url: string;
      progress_url: string;
    };
    assert.ok(info.url.startsWith(balancer));
    const content = randomBytes(6 * 1024 * 1024);
    const head = Buffer.from(partHead({ name: 'userfile', filename: 'big.bin', content: '' }));
    const tail = Buffer.from(`\r\n--${FORM_TYPE.split('boundary=')[1]}--\r\n`);
    const total = head.length + content.length + tail.length;
    const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': total } });
    req.write(head);
    const seen: { node: string; bytes: number }[] = [];
    let polling = true;
    const poller = (async () => {
      for (let i = 0; polling; i++) {
        const node = nodes[i % 3]!;
        const xml = await (await fetch(at(node, info.progress_url))).text();
        const bytes = Number(/<uploaded_bytes>(\d+)</.exec(xml)?.[1] ?? 0);
        seen.push({ node: node.name, bytes });
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const slice = 256 * 1024;
    for (let off = 0; off < content.length; off += slice) {
      req.write(content.subarray(off, off + slice));
      await new Promise((r) => setTimeout(r, 60));
    }
    req.end(tail);
    const res = sessionAnswer((await answer).text);
    polling = false;
    await poller;
    assert.equal(res.status, 'ok', res.lines.join('\n'));
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]!.bytes >= seen[i - 1]!.bytes, `progress went back: ${JSON.stringify(seen.slice(Math.max(0, i - 3), i + 1))}`);
    for (const n of nodes) {
      const partial = seen.filter((s) => s.node === n.name && s.bytes > 0 && s.bytes < total);
      assert.ok(partial.length > 0, `${n.name} reported the upload while it ran: ${JSON.stringify(seen)}`);
    }
    uploaded = { id: res.fileIds[0]!, content };
    const d = await client.call('download.getInfo', { file_id: uploaded.id });
    const url = (d.body.download as { url: string }).url;
    for (const n of nodes) {
      const r = await fetch(at(n, url));
      assert.equal(r.status, 200, `${n.name} serves the file`);
      assert.equal(sha256(Buffer.from(await r.arrayBuffer())), sha256(content), `${n.name} serves every byte`);
    }
  });

  it('a tus upload begun on one node, cut, and resumed on another arrives whole; no node keeps its bytes after', async () => {
    const ticket = ((await client.call('upload.getInfo')).body.upload as { extra_info: string }).extra_info;
    // Over two S3 parts, sent in PsiTransfer's 5 000 000-byte chunks (each under a part).
    const content = randomBytes(13 * 1024 * 1024);
    const created = await createUpload(nodes[0]!.url, content.length, { ticket, filename: 'resumed.bin' });
    assert.equal(created.status, 201, created.text);
    const location = created.headers.get('location') as string;
    assert.ok(location.startsWith(balancer), 'the upload URL names the balancer');
    const id = location.split('/').pop() as string;
    // Sent to the first node directly, and cut in the middle of a chunk.
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(content, {
        uploadUrl: at(nodes[0]!, location),
        chunkSize: 5_000_000,
        onError: reject,
        onProgress: (sent) => {
          if (sent < 7 * 1024 * 1024) return;
          void upload.abort().then(resolve, reject);
        },
      });
      upload.start();
    });
    const onSecond = at(nodes[1]!, location);
    const offset = Number((await tusRequest(onSecond, 'HEAD')).headers.get('upload-offset'));
    assert.ok(offset >= 5_000_000 && offset < content.length, `the second node sees the first one's offset (${offset})`);
    assert.ok((await listFiles(join(work, nodes[0]!.name, 'tus'))).length > 0, 'the first node keeps a copy of the tail');
    // The rest through the second node, which has none of the bytes on its disk.
    const done = await clientUpload(onSecond, content, { ticket, filename: 'resumed.bin' }, { uploadUrl: onSecond, chunkSize: 5_000_000 });
    assert.ok(done.fileId, 'the last PATCH names the file');
    const url = ((await client.call('download.getInfo', { file_id: done.fileId })).body.download as { url: string }).url;
    assert.ok(url.startsWith(balancer));
    assert.equal(sha256(Buffer.from(await (await fetch(url)).arrayBuffer())), sha256(content), 'the balancer serves every byte');
    assert.equal(await blobs.openUploads(), 0, 'the multipart upload was completed');
    assert.deepEqual(
      (await blobs.objectKeys()).filter((k) => k.includes(id)),
      [],
      'no tail object is left',
    );
    // The tail copies go: at once on the node that finished, with its sweep on the other.
    assert.deepEqual(await listFiles(join(work, nodes[1]!.name, 'tus')), []);
    await waitFor(
      async () => ((await listFiles(join(work, nodes[0]!.name, 'tus'))).length === 0 ? true : undefined),
      20_000,
      'the first node to drop its tail copy',
    );
  });

  it('a download limit of 1 under 50 concurrent downloads spread over the nodes serves exactly one', async () => {
    const body = multipart([{ name: 'userfile', filename: 'once.txt', content: 'only once' }]);
    const info = (await client.call('upload.getInfo')).body.upload as { url: string };
    const up = sessionAnswer((await send(info.url, body)).text);
    assert.equal(up.status, 'ok');
    const id = up.fileIds[0]!;
    assert.equal((await client.call('files.setInfo', { file_id: id, download_limit: 1, limit_action: 1 })).status, 'ok');
    const url = ((await client.call('download.getInfo', { file_id: id })).body.download as { url: string }).url;
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await fetch(i % 4 === 3 ? url : at(nodes[i % 3]!, url));
        return { status: r.status, body: Buffer.from(await r.arrayBuffer()).toString() };
      }),
    );
    const served = results.filter((r) => r.status === 200);
    assert.equal(served.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(served[0]!.body, 'only once');
    assert.ok(results.every((r) => r.status === 200 || r.status === 410));
  });

  it('a logout on one node is refused by every node at once', async () => {
    const second = new SendspaceClient(nodes[2]!.url);
    assert.equal((await second.login(email, password)).status, 'ok');
    const views = nodes.map((n) => {
      const c = new SendspaceClient(n.url);
      c.sessionKey = second.sessionKey;
      return c;
    });
    for (const v of views) assert.equal((await v.call('auth.checkSession')).status, 'ok');
    assert.equal((await second.call('auth.logout')).status, 'ok');
    const after = await Promise.all(views.map((v) => v.call('auth.checkSession')));
    assert.deepEqual(
      after.map((r) => r.error?.code),
      [6, 6, 6],
    );
  });

  it('a node killed mid-upload: the retry through the balancer succeeds, nothing half-written shows, the sweeper clears the rest, and the node rejoins', async () => {
    const victim = nodes[2]!;
    const info = (await client.call('upload.getInfo')).body.upload as { url: string; progress_url: string };
    // Larger than two S3 parts, so the node has a multipart upload open when it dies.
    const content = randomBytes(16 * 1024 * 1024);
    const form = multipart([{ name: 'userfile', filename: 'killed.bin', content }]);
    const { req, answer } = openRequest(at(victim, info.url), { headers: { 'content-type': FORM_TYPE, 'content-length': form.length } });
    const cut = answer.then(
      () => 'answered',
      () => 'cut',
    );
    req.write(form.subarray(0, form.length / 2));
    await waitFor(async () => {
      const xml = await (await fetch(at(nodes[0]!, info.progress_url))).text();
      return Number(/<uploaded_bytes>(\d+)</.exec(xml)?.[1] ?? 0) > 6 * 1024 * 1024 ? true : undefined;
    }, 20_000);
    await waitFor(async () => ((await blobs.openUploads()) > 0 ? true : undefined), 20_000, 'the node to be writing its upload');
    await victim.kill('SIGKILL');
    assert.ok((await blobs.openUploads()) > 0, 'the dead node left an unfinished upload behind');
    assert.equal(await cut, 'cut');
    const { rows: half } = await db.query(`select id from files where name = 'killed.bin'`);
    assert.equal(half.length, 0, 'no row for the upload that was cut');

    // The client tries again, through the balancer (which finds the dead node out).
    let retry = sessionAnswer((await send(info.url, form)).text);
    if (retry.status !== 'ok') retry = sessionAnswer((await send(info.url, form)).text);
    assert.equal(retry.status, 'ok', retry.lines.join('\n'));
    const { rows } = await db.query(`select id, blob_key from files where name = 'killed.bin'`);
    assert.equal(rows.length, 1);
    const d = ((await client.call('download.getInfo', { file_id: retry.fileIds[0] })).body.download as { url: string }).url;
    assert.equal(sha256(Buffer.from(await (await fetch(d)).arrayBuffer())), sha256(content));

    // The killed node comes back with its old environment and serves again.
    await victim.restart();
    assert.equal((await onNode(victim).call('auth.checkSession')).status, 'ok');
    const r = await fetch(at(victim, d));
    assert.equal(sha256(Buffer.from(await r.arrayBuffer())), sha256(content), 'the restarted node serves files it never stored');

    // Once the grace time has passed, the sweeper leaves every stored object with a row.
    let left = '';
    await waitFor(
      async () => {
        const { rows: all } = await db.query<{ blob_key: string }>('select blob_key from files');
        const keys = new Set(all.map((x) => x.blob_key));
        const stray = (await blobs.objectKeys()).filter((k) => !keys.has(k));
        const open = await blobs.openUploads();
        left = `objects without a row: ${JSON.stringify(stray)}, open uploads: ${open}`;
        return stray.length === 0 && open === 0 ? true : undefined;
      },
      150_000,
      'the sweeper to remove what the killed node left',
    ).catch((err: Error) => {
      throw new Error(`${err.message} (${left})`);
    });
  });

  it('no node wrote a blob to its own disk', { skip: clusterBlobs.nodeDisksHoldBlobs }, async () => {
    for (const n of nodes) {
      const found = await listFiles(join(work, n.name));
      assert.deepEqual(
        found.filter((f) => !f.endsWith('.log')),
        [],
        `${n.name}'s data folder`,
      );
    }
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}
