// tus against Sendbay's own multipart upload, in the same run: a 1 GiB file (by default)
// sent (a) as one multipart POST with curl, (b) to /tus/ as one PATCH with curl, and
// (c) to /tus/ in 5 MB PATCHes as PsiTransfer's client sends them, with the official
// tus-js-client. Each figure is the median of --repeat rounds (after --warmup untimed
// ones), the three targets interleaved, the order rotated each round; `sync` before
// each transfer so every one starts from the same disk state. Every stored file is
// checked against the source's SHA-256, then deleted.
// Usage: node bench/tus.mjs [--size-mb 1024] [--chunk-mb 5] [--repeat 3] [--warmup 1]
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import * as tus from 'tus-js-client';
import { peakRssMb, repoRoot, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    'chunk-mb': { type: 'string', default: '5' },
    repeat: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
  },
});
const MiB = 1024 * 1024;
const MB = 1000 * 1000;
const sizeMb = Number(values['size-mb']);
const chunkBytes = Number(values['chunk-mb']) * MB;
const repeat = Number(values.repeat);
const warmup = Number(values.warmup);

const md5 = (s) => createHash('md5').update(s).digest('hex');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;

/** `mb` MiB of AES-CTR keystream (incompressible, deterministic); returns its SHA-256. */
async function generateFile(path, mb) {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update('tus').digest(), Buffer.alloc(16));
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

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code} ${err}`))));
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'sendbay-tus-bench-'));
let server;
try {
  const file = join(tmp, 'bench.bin');
  console.error(`generating ${sizeMb} MiB…`);
  const sha = await generateFile(file, sizeMb);
  const bytes = statSync(file).size;
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  server = await startSendbay(dataDir, {}, { users: [{ email: 'bench@example.com', password: 'bench-pass', plan: 'pro' }] });
  const api = async (query) => (await fetch(`${server.url}/rest/?${query}`)).text();
  const t = /<token>(\w+)<\/token>/.exec(await api('method=auth.createToken&api_key=bench&api_version=1.2'))[1];
  const login = await api(`method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${md5(t + md5('bench-pass'))}`);
  const sessionKey = /<session_key>(\w+)<\/session_key>/.exec(login)[1];
  const info = async () => {
    const xml = await api(`method=upload.getInfo&session_key=${sessionKey}`);
    return { url: /<upload url="([^"]+)"/.exec(xml)[1].replace(/&amp;/g, '&'), ticket: /extra_info="([^"]+)"/.exec(xml)[1] };
  };
  const check = async (fileId) => {
    const row = await api(`method=files.getInfo&session_key=${sessionKey}&file_id=${fileId}`);
    if (!new RegExp(`file_size="${bytes}"`).test(row)) throw new Error(`stored file ${fileId} has the wrong size: ${row}`);
    const xml = await api(`method=download.getInfo&session_key=${sessionKey}&file_id=${fileId}`);
    const url = /<download [^>]*url="([^"]+)"/.exec(xml)[1].replace(/&amp;/g, '&');
    const head = await run('curl', ['-sS', '--fail', '-I', url]);
    if (/^etag:\s*"([0-9a-f]{64})"/im.exec(head)?.[1] !== sha) throw new Error(`stored file ${fileId} has the wrong SHA-256`);
    await api(`method=files.delete&session_key=${sessionKey}&file_id=${fileId}`);
  };
  const createTus = async (ticket) => {
    const meta = `ticket ${Buffer.from(ticket).toString('base64')},filename ${Buffer.from('bench.bin').toString('base64')}`;
    const r = await fetch(`${server.url}/tus/`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes), 'upload-metadata': meta },
    });
    if (r.status !== 201) throw new Error(`tus creation: ${r.status} ${await r.text()}`);
    return r.headers.get('location');
  };
  const answer = join(tmp, 'answer.txt');
  const W = '%{http_code} %{time_total}';

  const targets = {
    multipart: {
      label: 'Sendbay multipart POST (curl -F)',
      async run() {
        const out = await run('curl', ['-sS', '-o', answer, '-w', W, '-F', `userfile=@${file}`, (await info()).url]);
        const [code, seconds] = out.trim().split(' ').map(Number);
        const body = readFileSync(answer, 'utf8');
        if (code !== 200 || !body.startsWith('upload_status=ok')) throw new Error(`multipart: ${code} ${body}`);
        return { seconds, fileId: /^file_id=(\w+)$/m.exec(body)[1] };
      },
    },
    onePatch: {
      label: 'tus, one PATCH (curl -T)',
      async run() {
        const location = await createTus((await info()).ticket);
        // Only the PATCH is timed (the creation is one small request either way).
        const out = await run('curl', [
          '-sS',
          '-D',
          answer,
          '-o',
          '/dev/null',
          '-w',
          W,
          '-X',
          'PATCH',
          '-T',
          file,
          '-H',
          'Tus-Resumable: 1.0.0',
          '-H',
          'Upload-Offset: 0',
          '-H',
          'Content-Type: application/offset+octet-stream',
          '-H',
          'Expect:',
          location,
        ]);
        const [code, seconds] = out.trim().split(' ').map(Number);
        const headers = readFileSync(answer, 'utf8');
        if (code !== 204) throw new Error(`tus PATCH: ${code} ${headers}`);
        return { seconds, fileId: /^sendbay-file-id:\s*(\w+)/im.exec(headers)[1] };
      },
    },
    chunks: {
      label: `tus, ${chunkBytes / MB} MB PATCHes (tus-js-client)`,
      async run() {
        const { ticket } = await info();
        const started = performance.now();
        const fileId = await new Promise((resolve, reject) => {
          const upload = new tus.Upload(createReadStream(file), {
            endpoint: `${server.url}/tus/`,
            uploadSize: bytes,
            chunkSize: chunkBytes,
            metadata: { ticket, filename: 'bench.bin' },
            onError: reject,
            onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('sendbay-file-id')),
          });
          upload.start();
        });
        return { seconds: (performance.now() - started) / 1000, fileId };
      },
    },
  };

  const names = Object.keys(targets);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + repeat; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      spawnSync('sync');
      const r = await targets[name].run();
      await check(r.fileId);
      if (round >= warmup) times[name].push(r.seconds);
      console.error(`${round < warmup ? 'warm-up' : `round ${round - warmup + 1}`}: ${name} ${round1(bytes / MiB / r.seconds)} MiB/s`);
    }
  }
  const rate = (name) => bytes / MiB / median(times[name]);
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    sizeMiB: sizeMb,
    chunkBytes,
    repeat,
    peakRssMb: peakRssMb(server.child.pid),
    targets: Object.fromEntries(names.map((n) => [n, { label: targets[n].label, seconds: times[n], mibPerSecond: round1(rate(n)) }])),
    ratios: {
      onePatch: round1((rate('onePatch') / rate('multipart')) * 100) / 100,
      chunks: round1((rate('chunks') / rate('multipart')) * 100) / 100,
    },
  };
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'tus.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`| target | MiB/s (median of ${repeat}) | every round (s) | vs multipart |`);
  console.log('| --- | --- | --- | --- |');
  for (const n of names)
    console.log(
      `| ${targets[n].label} | ${round1(rate(n))} | ${times[n].map((s) => round1(s)).join(', ')} | ${n === 'multipart' ? '1.00' : (rate(n) / rate('multipart')).toFixed(2)} |`,
    );
  console.log(`\nSendbay peak RSS: ${results.peakRssMb} MB`);
} finally {
  if (server) await stopProcess(server.child);
  rmSync(tmp, { recursive: true, force: true });
}
