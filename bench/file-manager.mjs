// The web file manager at 100,000 files: GET /files (one 50-file page) of a folder that
// holds 100,000 files, sorted by name, by size (descending) and by date; a page deep in
// the middle (a keyset cursor at file 50,000); and a name search across the account.
// Rows are written straight into the SQLite file (listing needs no blobs); the pages are
// fetched over HTTP with the login cookie of a real /login, with autocannon.
// Usage: node bench/file-manager.mjs [--duration 10] [--connections 8]
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { peakRssMb, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '8' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);
const COUNT = 100_000;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n) => Array.from(randomBytes(n), (b) => alphabet[b % 36]).join('');

const dataDir = mkdtempSync(join(tmpdir(), 'sendbay-bench-files-'));
// The rows go straight into the database beside the running server. A second account with
// 1,000 files: the same page measured beside it, in the same run, says whether the page's
// cost grows with the folder (on a busy machine, absolute figures say little).
const server = await startSendbay(
  dataDir,
  {},
  {
    users: [
      { email: 'web@example.com', password: 'bench-pass', plan: 'max' },
      { email: 'small@example.com', password: 'bench-pass', plan: 'max' },
    ],
  },
);
const userId = server.userIds['web@example.com'];
const smallId = server.userIds['small@example.com'];

function populate(owner = userId, count = COUNT) {
  const db = new Database(join(dataDir, 'sendbay.sqlite'));
  const now = Math.floor(Date.now() / 1000);
  const insert = db.prepare(
    `insert into files (id, owner_id, folder_id, name, description, size, sha256, blob_key, password_sealed, upload_time,
       downloads, time_limit, limit_expires_at, download_limit, limit_action, limit_action_to_folder, blocked, business_shared, delete_salt, last_download_at)
     values (?, ?, '0', ?, '', ?, ?, ?, null, ?, 0, null, null, null, 0, null, 0, 0, ?, null)`,
  );
  const prefix = rand(2);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `${prefix}${i.toString(36).padStart(4, '0')}`;
      insert.run(
        id,
        owner,
        `photo-${String(i).padStart(6, '0')}.jpg`,
        1000 + ((i * 7919) % 100_000),
        'x'.repeat(64),
        `blob${id}${rand(20)}`,
        now - i,
        rand(16),
      );
    }
    db.prepare('update users set diskspace_used = ? where id = ?').run(count * 50_000, owner);
  })();
  // The 50,000th file by name: where a page deep in the folder starts.
  const middle = db
    .prepare("select name, id from files where owner_id = ? and folder_id = '0' order by name, id limit 1 offset ?")
    .get(owner, Math.floor(count / 2) - 1);
  db.close();
  return middle;
}

async function login(base, email = 'web@example.com') {
  const form = await fetch(`${base}/login`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())[1];
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email, password: 'bench-pass' }).toString(),
  });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const session = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('ssal='))
    ?.split(';')[0];
  return [...cookies.filter((c) => !c.startsWith('ssal=')), session].join('; ');
}

async function rate(url, cookie, expectFiles) {
  const check = await (await fetch(url, { headers: { cookie } })).text();
  const files = (check.match(/href="\/files\/file\/[a-z0-9]{6}"/g) ?? []).length;
  if (files !== expectFiles) throw new Error(`${url}: ${files} files on the page, expected ${expectFiles}`);
  const opts = { url, connections, duration, headers: { cookie } };
  await autocannon({ ...opts, duration: 2 });
  const r = await autocannon(opts);
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, bytes: check.length };
}

const rows = [];
let rss;
try {
  const middle = populate();
  populate(smallId, 1000);
  const cookie = await login(server.url);
  const smallCookie = await login(server.url, 'small@example.com');
  rows.push({ label: 'page 1 by name, 1,000-file folder (other account)', ...(await rate(`${server.url}/files`, smallCookie, 50)) });
  const cursor = Buffer.from(JSON.stringify(['name', 0, 'a', middle.name, middle.id])).toString('base64url');
  const cases = [
    ['page 1 by name', '/files', 50],
    ['page 1 by size, descending', '/files?sort=size&order=desc', 50],
    ['page 1 by date', '/files?sort=date', 50],
    ['a page at file 50,000 by name', `/files?cursor=${cursor}`, 50],
    ['name search (100 matches, first page)', '/files?q=photo-0999', 50],
  ];
  for (const [label, path, expect] of cases) rows.push({ label, ...(await rate(`${server.url}${path}`, cookie, expect)) });
  rss = peakRssMb(server.child.pid);
  await stopProcess(server.child);
} finally {
  await stopProcess(server.child).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`/files of a folder holding ${COUNT.toLocaleString('en')} files, ${connections} connections, ${duration} s each:\n`);
console.log('| page | req/s | p50 / p99 ms | page size |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.rps} | ${r.p50} / ${r.p99} | ${Math.round(r.bytes / 1024)} KB |`);
console.log(`\nserver peak RSS: ${rss} MB`);
