// Transfers: upload and download of one large file (2 GiB by default) through the real
// Sendbay API on loopback, with curl as the client, against two baselines measured in the
// same run: nginx (WebDAV PUT to disk, GET with sendfile) and a bare Fastify +
// @fastify/multipart server (multipart POST to disk, 1 MiB read-stream GET), that one
// twice: answering at once, and fsyncing before it answers as Sendbay does. Every target
// downloads what it has just stored, so all read equally fresh files. Then N
// concurrent uploads of a smaller file through Sendbay. Times are curl's own
// (%{time_total}); each figure is the median of --repeat rounds (after --warmup untimed
// ones), targets interleaved within each round.
// Usage: node bench/transfers.mjs [--size-mb 2048] [--concurrent 20] [--concurrent-mb 200]
//                                 [--repeat 3] [--warmup 1] [--downloads 5] [--cpu-prof DIR]
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ensureNginx, startNginx } from './baselines/nginx-transfers.mjs';
import { freePort, peakRssMb, repoRoot, startProcess, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '2048' },
    concurrent: { type: 'string', default: '20' },
    'concurrent-mb': { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    // Untimed rounds first: JIT, page cache and disk reach the state later rounds see.
    warmup: { type: 'string', default: '1' },
    // Downloads per target per round: a download takes about a second, and on a shared
    // 2-core VM one sample swings by ±15%, so each round fetches the file several times
    // (targets interleaved, the order rotated each pass and each round).
    downloads: { type: 'string', default: '5' },
    // Runs the Sendbay server under `node --cpu-prof`, profiles written to this folder.
    'cpu-prof': { type: 'string' },
  },
});
const MiB = 1024 * 1024;
const sizeMb = Number(values['size-mb']);
const concurrent = Number(values.concurrent);
const concurrentMb = Number(values['concurrent-mb']);
const repeat = Number(values.repeat);
const warmup = Number(values.warmup);
const downloads = Number(values.downloads);
for (const [k, v] of Object.entries({ sizeMb, concurrent, concurrentMb, repeat, downloads }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be 0 or more');

const md5 = (s) => createHash('md5').update(s).digest('hex');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;

/**
 * Writes `mb` MiB of AES-CTR keystream (incompressible, deterministic, much faster than
 * /dev/urandom) to `path`; returns its SHA-256.
 */
async function generateFile(path, mb, seed) {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update(seed).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  const hash = createHash('sha256');
  async function* chunks() {
    for (let i = 0; i < mb; i++) {
      const c = cipher.update(zeros);
      hash.update(c);
      yield c;
    }
  }
  await pipeline(chunks(), createWriteStream(path));
  return hash.digest('hex');
}

/** Runs a command; resolves with its stdout, or hands each stdout chunk to `onData`. */
function run(command, args, { onData } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', onData ?? ((c) => (out += c)));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')}: exit ${code} ${err}`))));
  });
}

/** SHA-256 of what a GET of `url` answers (an untimed verification pass). */
async function sha256Url(url) {
  const hash = createHash('sha256');
  await run('curl', ['-sS', '--fail', url], { onData: (c) => hash.update(c) });
  return hash.digest('hex');
}

const W = '%{http_code} %{time_total} %{size_upload} %{size_download}';

/** One curl transfer; `args` says what to send. Returns curl's own timing and sizes. */
async function curl(args, bodyPath) {
  const out = await run('curl', ['-sS', '-o', bodyPath, '-w', W, ...args]);
  const [code, seconds, up, down] = out.trim().split(' ').map(Number);
  return { code, seconds, up, down, body: bodyPath === '/dev/null' ? '' : readFileSync(bodyPath, 'utf8') };
}

/** Flushes dirty pages so each timed transfer starts from the same disk state. */
function sync() {
  const t = performance.now();
  spawnSync('sync');
  return (performance.now() - t) / 1000;
}

const profDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;

/** The real server, as lib/processes.mjs starts it, optionally under the CPU profiler. */
function startServer(dataDir, users = []) {
  return startSendbay(dataDir, {}, { users, nodeFlags: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
}

const tmp = mkdtempSync(join(tmpdir(), 'sendbay-transfers-'));
const children = [];
const results = { targets: {}, concurrent: {} };
let nginxVersion;
try {
  nginxVersion = ensureNginx();
  mkdirSync(join(tmp, 'src'));
  const bigFile = join(tmp, 'src', 'bench.bin');
  const smallFile = join(tmp, 'src', 'small.bin');
  console.error(`generating ${sizeMb} MiB and ${concurrentMb} MiB test files…`);
  const bigSha = await generateFile(bigFile, sizeMb, 'big');
  const smallSha = await generateFile(smallFile, concurrentMb, 'small');
  const bigBytes = statSync(bigFile).size;
  const smallBytes = statSync(smallFile).size;
  const mbps = (bytes, s) => round1(bytes / MiB / s);

  // --- Sendbay: a pro user (10 GB files), logged in through the API like a client.
  const dataDir = join(tmp, 'sendbay');
  mkdirSync(dataDir);
  let sendbay = await startServer(dataDir, [{ email: 'bench@example.com', password: 'bench-pass', plan: 'pro' }]);
  children.push(sendbay.child);
  const api = async (query) => (await fetch(`${sendbay.url}/rest/?${query}`)).text();
  const login = async () => {
    const t = /<token>(\w+)<\/token>/.exec(await api('method=auth.createToken&api_key=bench&api_version=1.2'))[1];
    const answer = await api(`method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${md5(t + md5('bench-pass'))}`);
    return /<session_key>(\w+)<\/session_key>/.exec(answer)[1];
  };
  let sessionKey = await login();
  // What the process holds before any transfer: the floor every peak below stands on.
  results.sendbayRssAtStartMb = peakRssMb(sendbay.child.pid);
  const uploadUrl = async () => {
    const xml = await api(`method=upload.getInfo&session_key=${sessionKey}`);
    const m = /<upload url="([^"]+)"/.exec(xml);
    if (!m) throw new Error(`upload.getInfo failed: ${xml}`);
    return m[1].replace(/&amp;/g, '&');
  };
  const downloadInfo = async (fileId) => {
    const xml = await api(`method=download.getInfo&session_key=${sessionKey}&file_id=${fileId}`);
    const m = /<download [^>]*url="([^"]+)"/.exec(xml);
    if (!m) throw new Error(`download.getInfo failed: ${xml}`);
    return { url: m[1].replace(/&amp;/g, '&'), size: Number(/file_size="(\d+)"/.exec(xml)?.[1]) };
  };
  const fileIdOf = (answer) => {
    if (!answer.startsWith('upload_status=ok')) throw new Error(`Sendbay upload failed: ${answer}`);
    return /^file_id=(\w+)$/m.exec(answer)[1];
  };
  /** The ETag of a direct link is the SHA-256 the server computed while storing. */
  const storedSha = async (url) => {
    const head = await run('curl', ['-sS', '--fail', '-I', url]);
    return /^etag:\s*"([0-9a-f]{64})"/im.exec(head)?.[1];
  };

  // --- Baselines.
  const nginxPort = await freePort();
  const nginx = await startNginx(join(tmp, 'nginx'), nginxPort);
  children.push(nginx.child);
  // A bare Fastify baseline as a target: started in a folder of its own, uploaded to with
  // curl -F, serving back what it stored.
  const bareTarget = async (name, label, env = {}) => {
    const store = join(tmp, name);
    mkdirSync(store);
    const port = await freePort();
    const child = await startProcess(process.execPath, [`${repoRoot}bench/baselines/bare-fastify-upload.mjs`], {
      env: { PORT: String(port), STORE_DIR: store, ...env },
      ready: /listening/,
    });
    children.push(child);
    return {
      label,
      async upload() {
        const r = await curl(['-F', `userfile=@${bigFile}`, `http://127.0.0.1:${port}/upload`], answer);
        if (r.code !== 200) fail(`${label} upload`, r);
        return r;
      },
      downloadUrl: () => `http://127.0.0.1:${port}/upload.bin`,
      remove: async () => rmSync(join(store, 'upload.bin')),
      pid: () => child.pid,
    };
  };

  const answer = join(tmp, 'answer.txt');
  const fail = (what, r) => {
    throw new Error(`${what}: HTTP ${r.code} ${r.body.slice(0, 300)}`);
  };
  // Each target: how it uploads (timed), where it serves what it stored, how it removes it.
  const targets = {
    sendbay: {
      label: 'Sendbay (API upload, /dl/ link)',
      async upload() {
        const r = await curl(['-F', `userfile=@${bigFile}`, await uploadUrl()], answer);
        if (r.code !== 200) fail('Sendbay upload', r);
        this.fileId = fileIdOf(r.body);
        this.download = await downloadInfo(this.fileId);
        if (this.download.size !== bigBytes) throw new Error(`download.getInfo says ${this.download.size} bytes`);
        // Checked every round: the server hashed exactly the bytes it was sent.
        if ((await storedSha(this.download.url)) !== bigSha) throw new Error('Sendbay stored SHA-256 differs from the source');
        return r;
      },
      downloadUrl() {
        return this.download.url;
      },
      async remove() {
        const xml = await api(`method=files.delete&session_key=${sessionKey}&file_id=${this.fileId}`);
        if (!xml.includes('status="ok"')) throw new Error(`files.delete failed: ${xml}`);
      },
      pid: () => sendbay.child.pid,
    },
    nginx: {
      label: 'nginx (WebDAV PUT, sendfile GET)',
      async upload() {
        const r = await curl(['-T', bigFile, `http://127.0.0.1:${nginxPort}/put/upload.bin`], answer);
        if (r.code !== 201 && r.code !== 204) fail('nginx PUT', r);
        return r;
      },
      downloadUrl: () => `http://127.0.0.1:${nginxPort}/put/upload.bin`,
      remove: async () => rmSync(join(nginx.storeDir, 'upload.bin')),
      pid: () => nginx.workerPid(),
    },
    bare: await bareTarget('bare', 'bare Fastify + @fastify/multipart'),
    // The same fsyncing the file and its folder before it answers, as Sendbay does: the
    // fair yardstick for upload speed.
    bareDurable: await bareTarget('bare-durable', 'bare Fastify + @fastify/multipart, fsync before answering', { DURABLE: '1' }),
  };
  targets.nginx.label = `nginx ${nginxVersion.replace('nginx/', '')} (WebDAV PUT, sendfile GET)`;

  const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, { upload: [], uploadSync: [], download: [] }]));
  const pairedDownloadRatios = [];
  // Rounds below 1 are warm-up rounds: run and checked like the others, not counted.
  const first = 1 - warmup;
  for (let round = first; round <= repeat; round++) {
    const label = round < 1 ? 'warm-up' : `round ${round}`;
    const record = (list, value) => round >= 1 && list.push(value);
    for (const [name, t] of Object.entries(targets)) {
      sync();
      const up = await t.upload();
      // How long the kernel then needs to make those bytes durable (Sendbay fsyncs
      // before it answers; the baselines do not).
      const syncSeconds = sync();
      record(runs[name].upload, up.seconds);
      record(runs[name].uploadSync, up.seconds + syncSeconds);
      console.error(`${label}: ${name} upload ${mbps(bigBytes, up.seconds)} MB/s (+sync ${syncSeconds.toFixed(1)} s)`);
    }
    // The first download after the uploads is the slowest for whichever target takes it
    // (the kernel is still settling the page cache): the order rotates with every pass
    // and every round, so no target always takes that place.
    const names = Object.keys(targets);
    for (let pass = 0; pass < downloads; pass++) {
      const seconds = {};
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + pass + round - first) % names.length];
        const t = targets[name];
        sync();
        const down = await curl([t.downloadUrl()], '/dev/null');
        if (down.code !== 200 || down.down !== bigBytes) throw new Error(`${name} download: HTTP ${down.code}, ${down.down} bytes`);
        record(runs[name].download, down.seconds);
        seconds[name] = down.seconds;
        // What was stored and served is checked once, outside the timed transfer.
        if (round === first && pass === 0 && (await sha256Url(t.downloadUrl())) !== bigSha) {
          throw new Error(`${name} stored or served other bytes`);
        }
        console.error(`${label}: ${name} download ${mbps(bigBytes, down.seconds)} MB/s`);
      }
      // Sendbay's speed against nginx's in the same pass, seconds apart: a paired sample.
      record(pairedDownloadRatios, seconds.nginx / seconds.sendbay);
    }
    // Every target then removes what it stored, untimed, so that each round's uploads
    // write into a page cache in the same state (see README: on this VM, growing the page
    // cache into memory never touched before costs far more than reusing freed pages).
    for (const t of Object.values(targets)) await t.remove();
  }
  for (const [name, t] of Object.entries(targets)) {
    const r = runs[name];
    results.targets[name] = {
      label: t.label,
      uploadMbPerSecond: mbps(bigBytes, median(r.upload)),
      uploadWithSyncMbPerSecond: mbps(bigBytes, median(r.uploadSync)),
      downloadMbPerSecond: mbps(bigBytes, median(r.download)),
      uploadSeconds: r.upload,
      uploadWithSyncSeconds: r.uploadSync.map((s) => Math.round(s * 1000) / 1000),
      downloadSeconds: r.download,
      peakRssMb: peakRssMb(t.pid()),
    };
  }

  results.pairedDownloads = {
    sendbayFaster: pairedDownloadRatios.filter((r) => r >= 1).length,
    pairs: pairedDownloadRatios.length,
    medianRatioPercent: Math.round(median(pairedDownloadRatios) * 1000) / 10,
  };

  // --- N concurrent uploads through a fresh Sendbay process (its own peak RSS).
  await stopProcess(sendbay.child);
  sendbay = await startServer(dataDir);
  children.push(sendbay.child);
  sessionKey = await login();
  const urls = [];
  for (let i = 0; i < concurrent; i++) urls.push(await uploadUrl());
  sync();
  const started = performance.now();
  const answers = await Promise.all(
    urls.map((url, i) => curl(['-F', `userfile=@${smallFile}`, url], join(tmp, `answer-${i}.txt`)).catch((err) => ({ error: err }))),
  );
  const wall = (performance.now() - started) / 1000;
  const failures = answers.filter((a) => a.error || a.code !== 200 || !a.body.startsWith('upload_status=ok'));
  for (const a of answers.filter((x) => !failures.includes(x))) {
    const info = await downloadInfo(fileIdOf(a.body));
    if (info.size !== smallBytes || (await storedSha(info.url)) !== smallSha) failures.push(a);
  }
  results.concurrent = {
    uploads: concurrent,
    sizeMb: concurrentMb,
    ok: concurrent - failures.length,
    failed: failures.length,
    failures: failures.slice(0, 3).map((f) => (f.error ? String(f.error.message) : `HTTP ${f.code} ${f.body.slice(0, 200)}`)),
    wallSeconds: round1(wall),
    aggregateMbPerSecond: mbps(smallBytes * concurrent, wall),
    slowestSeconds: Math.max(...answers.filter((a) => !a.error).map((a) => a.seconds)),
    peakRssMb: peakRssMb(sendbay.child.pid),
  };
  results.sizeMb = sizeMb;
  results.repeat = repeat;
  results.warmup = warmup;
  results.downloadsPerRound = downloads;
} finally {
  for (const c of children.reverse()) await stopProcess(c).catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}

// --- Report.
const T = results.targets;
const rows = [
  ['Sendbay', 'download (GET /dl/…)', T.sendbay.downloadMbPerSecond, '', T.sendbay.peakRssMb],
  ['nginx', 'download (GET, sendfile)', T.nginx.downloadMbPerSecond, '', T.nginx.peakRssMb],
  ['bare Fastify', 'download (1 MiB read stream)', T.bare.downloadMbPerSecond, '', T.bare.peakRssMb],
  [
    'Sendbay',
    'upload (multipart POST, SHA-256, fsync)',
    T.sendbay.uploadMbPerSecond,
    T.sendbay.uploadWithSyncMbPerSecond,
    T.sendbay.peakRssMb,
  ],
  ['bare Fastify', 'upload (multipart POST)', T.bare.uploadMbPerSecond, T.bare.uploadWithSyncMbPerSecond, T.bare.peakRssMb],
  [
    'bare Fastify',
    'upload (multipart POST, fsync)',
    T.bareDurable.uploadMbPerSecond,
    T.bareDurable.uploadWithSyncMbPerSecond,
    T.bareDurable.peakRssMb,
  ],
  ['nginx', 'upload (WebDAV PUT)', T.nginx.uploadMbPerSecond, T.nginx.uploadWithSyncMbPerSecond, T.nginx.peakRssMb],
  [
    'Sendbay',
    `${results.concurrent.uploads} concurrent uploads of ${results.concurrent.sizeMb} MiB`,
    results.concurrent.aggregateMbPerSecond,
    '',
    results.concurrent.peakRssMb,
  ],
];
console.log(
  `\n${sizeMb} MiB file, median of ${repeat} round(s) (downloads: of ${repeat} × ${downloads}) after ${warmup} warm-up round(s); MB = MiB; RSS = peak (VmHWM) of the server process (nginx: its worker)\n`,
);
console.log(`Sendbay's peak RSS once started and logged in, before any transfer: ${results.sendbayRssAtStartMb} MB\n`);
console.log('| target | operation | MB/s | MB/s incl. sync to disk | server peak RSS MB |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

const pct = (a, b) => Math.round((a / b) * 1000) / 10;
results.checks = {
  downloadVsNginxPercent: pct(T.sendbay.downloadMbPerSecond, T.nginx.downloadMbPerSecond),
  uploadVsBareFastifyPercent: pct(T.sendbay.uploadMbPerSecond, T.bare.uploadMbPerSecond),
  uploadVsDurableBareFastifyPercent: pct(T.sendbay.uploadMbPerSecond, T.bareDurable.uploadMbPerSecond),
  uploadVsNginxPercent: pct(T.sendbay.uploadMbPerSecond, T.nginx.uploadMbPerSecond),
  sendbayOneFilePeakRssMb: T.sendbay.peakRssMb,
  sendbayConcurrentPeakRssMb: results.concurrent.peakRssMb,
  concurrentFailures: results.concurrent.failed,
};
const c = results.checks;
const mark = (ok) => (ok ? 'met' : 'NOT MET');
console.log('\n| target | result | |');
console.log('|---|---|---|');
const pd = results.pairedDownloads;
console.log(
  `| download at least as fast as nginx | ${c.downloadVsNginxPercent}% of nginx (paired passes: Sendbay faster in ${pd.sendbayFaster} of ${pd.pairs}, median ratio ${pd.medianRatioPercent}%) | ${mark(c.downloadVsNginxPercent >= 100)} |`,
);
console.log(
  `| upload at least 90% of a durable bare Fastify (fsync before answering) | ${c.uploadVsDurableBareFastifyPercent}% | ${mark(c.uploadVsDurableBareFastifyPercent >= 90)} |`,
);
console.log(
  `| upload (SHA-256 on the way) at least 80% of bare Fastify | ${c.uploadVsBareFastifyPercent}% (vs nginx PUT: ${c.uploadVsNginxPercent}%) | ${mark(c.uploadVsBareFastifyPercent >= 80)} |`,
);
console.log(
  `| peak RSS under 128 MB for any file size | ${c.sendbayOneFilePeakRssMb} MB (one ${sizeMb} MiB file up and down; ${c.sendbayConcurrentPeakRssMb} MB with ${results.concurrent.uploads} uploads at once) | ${mark(c.sendbayOneFilePeakRssMb < 128)} |`,
);
console.log(
  `| peak RSS at most 128 MiB with ${results.concurrent.uploads} uploads at once | ${c.sendbayConcurrentPeakRssMb} MB | ${mark(c.sendbayConcurrentPeakRssMb <= 128)} |`,
);
console.log(
  `| ${results.concurrent.uploads} concurrent ${results.concurrent.sizeMb} MiB uploads without a failure | ${results.concurrent.ok} ok, ${results.concurrent.failed} failed in ${results.concurrent.wallSeconds} s | ${mark(results.concurrent.failed === 0)} |`,
);

const env = { node: process.version, nginx: nginxVersion, date: new Date().toISOString(), cpus: cpus().length };
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/transfers.json'), JSON.stringify({ env, ...results }, null, 2) + '\n');
if (c.concurrentFailures > 0) process.exitCode = 1;
