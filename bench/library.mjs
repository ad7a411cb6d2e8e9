// Library lookups as an account grows: files.getInfo by id and folders.getContents of a
// 100-file folder on an account holding 1,000 files, then 100,000 files in 1,000 folders,
// plus folders.getContents of one 10,000-file folder with the server's peak RSS before
// and after. Rows are written straight into the SQLite file (blobs are not needed to
// read metadata); every call goes through the real API over HTTP with autocannon.
// Usage: node bench/library.mjs [--duration 10] [--connections 16]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { peakRssMb, repoRoot, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);
const md5 = (s) => createHash('md5').update(s).digest('hex');
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newId = (n = 6) => Array.from(randomBytes(n), (b) => alphabet[b % 36]).join('');

const dataDir = mkdtempSync(join(tmpdir(), 'sendbay-bench-lib-'));
const dbFile = join(dataDir, 'sendbay.sqlite');
// The server's first start makes the database; the rows then go straight into it.
const first = await startSendbay(dataDir, {}, { users: [{ email: 'lib@example.com', password: 'bench-pass', plan: 'max' }] });
const userId = first.userIds['lib@example.com'];
const usedIds = new Set();
const uniqueId = () => {
  for (;;) {
    const id = newId();
    if (!usedIds.has(id)) {
      usedIds.add(id);
      return id;
    }
  }
};

/** Adds `folders` folders with `perFolder` files each; returns their ids and all file ids. */
function populate(folderCount, perFolder, namePrefix) {
  const db = new Database(dbFile);
  const now = Math.floor(Date.now() / 1000);
  const insertFolder = db.prepare(
    'insert into folders (id, owner_id, parent_id, name, shared, password_sealed, business_shared, created_at) values (?, ?, ?, ?, 0, null, 0, ?)',
  );
  const insertFile = db.prepare(
    `insert into files (id, owner_id, folder_id, name, description, size, sha256, blob_key, password_sealed, upload_time,
       downloads, time_limit, limit_expires_at, download_limit, limit_action, limit_action_to_folder, blocked, business_shared, delete_salt, last_download_at)
     values (?, ?, ?, ?, '', ?, ?, ?, null, ?, 0, null, null, null, 0, null, 0, 0, ?, null)`,
  );
  const folderIds = [];
  const fileIds = [];
  db.transaction(() => {
    for (let f = 0; f < folderCount; f++) {
      const folderId = uniqueId();
      folderIds.push(folderId);
      insertFolder.run(folderId, userId, '0', `${namePrefix}-${f}`, now);
      for (let i = 0; i < perFolder; i++) {
        const id = uniqueId();
        fileIds.push(id);
        insertFile.run(
          id,
          userId,
          folderId,
          `file-${String(i).padStart(6, '0')}.bin`,
          1000 + i,
          'x'.repeat(64),
          `blob${id}${newId(20)}`,
          now - i,
          newId(16),
        );
      }
    }
    db.prepare('update users set diskspace_used = diskspace_used + ? where id = ?').run(folderCount * perFolder * 1000, userId);
  })();
  db.close();
  return { folderIds, fileIds };
}

async function login(base) {
  const t = /<token>(\w+)/.exec(await (await fetch(`${base}?method=auth.createToken&api_key=bench`)).text())[1];
  const r = await (
    await fetch(`${base}?method=auth.login&token=${t}&user_name=lib@example.com&tokened_password=${md5(t + md5('bench-pass'))}`)
  ).text();
  return /<session_key>(\w+)/.exec(r)[1];
}

async function rate(base, makePath) {
  const opts = { url: base, connections, duration, requests: [{ setupRequest: (req) => ({ ...req, path: makePath() }) }] };
  await autocannon({ ...opts, duration: 2 });
  const r = await autocannon(opts);
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 };
}

async function measureAt(server, fileIds, smallFolder) {
  const base = `${server.url}/rest/`;
  const key = await login(base);
  const check = await (await fetch(`${base}?method=files.getInfo&session_key=${key}&file_id=${fileIds[0]}`)).text();
  if (!check.includes('status="ok"')) throw new Error(check);
  const pick = () => fileIds[Math.floor(Math.random() * fileIds.length)];
  const getInfo = await rate(base, () => `/rest/?method=files.getInfo&session_key=${key}&file_id=${pick()}`);
  const contents = await rate(base, () => `/rest/?method=folders.getContents&session_key=${key}&folder_id=${smallFolder}`);
  return { server, base, key, getInfo, contents };
}

const results = {};
try {
  // Phase 1: 1,000 files in 10 folders of 100.
  const small = populate(10, 100, 'small');
  const allFiles = [...small.fileIds];
  const p1 = await measureAt(first, allFiles, small.folderIds[0]);
  results.at1k = { files: allFiles.length, getInfo: p1.getInfo, getContents100: p1.contents };
  await stopProcess(p1.server.child);

  // Phase 2: grow to 100,010 files in 1,000 folders: 989 more folders of 90 files and
  // one folder of 10,000.
  const more = populate(989, 90, 'more');
  allFiles.push(...more.fileIds);
  const big = populate(1, 10_000, 'big');
  const p2 = await measureAt(await startSendbay(dataDir), allFiles, small.folderIds[0]);
  results.at100k = { files: allFiles.length + 10_000, getInfo: p2.getInfo, getContents100: p2.contents };

  // The 10,000-file folder: timed sequential calls, peak RSS before and after.
  const rssBefore = peakRssMb(p2.server.child.pid);
  const times = [];
  let bytes = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const res = await fetch(`${p2.base}?method=folders.getContents&session_key=${p2.key}&folder_id=${big.folderIds[0]}`);
    const text = await res.text();
    times.push(performance.now() - t0);
    bytes = text.length;
    if ((text.match(/<file /g) ?? []).length !== 10_000) throw new Error('incomplete listing');
  }
  const rssAfter = peakRssMb(p2.server.child.pid);
  times.sort((a, b) => a - b);
  results.bigFolder = {
    files: 10_000,
    answerBytes: bytes,
    medianMs: Math.round(times[10]),
    peakRssBeforeMb: rssBefore,
    peakRssAfterMb: rssAfter,
  };
  await stopProcess(p2.server.child);
} finally {
  await stopProcess(first.child);
  rmSync(dataDir, { recursive: true, force: true });
}

console.log('| account size | files.getInfo req/s (p50 / p99 ms) | folders.getContents, 100 files, req/s (p50 / p99 ms) |');
console.log('|---|---|---|');
for (const r of [results.at1k, results.at100k])
  console.log(
    `| ${r.files.toLocaleString('en')} files | ${r.getInfo.rps} (${r.getInfo.p50} / ${r.getInfo.p99}) | ${r.getContents100.rps} (${r.getContents100.p50} / ${r.getContents100.p99}) |`,
  );
const b = results.bigFolder;
console.log(
  `\nfolders.getContents of a 10,000-file folder: ${(b.answerBytes / 1024 / 1024).toFixed(1)} MB answer, median ${b.medianMs} ms; server peak RSS ${b.peakRssBeforeMb} MB before 20 calls, ${b.peakRssAfterMb} MB after.`,
);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(
  join(repoRoot, 'bench/results/library.json'),
  JSON.stringify({ env: { node: process.version, date: new Date().toISOString(), duration, connections }, ...results }, null, 2) + '\n',
);
