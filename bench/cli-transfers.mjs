// `sbay upload` and `sbay download` against curl through the same Sendbay endpoints, and
// the CLI's memory as the file grows. Every transfer runs under /usr/bin/time -v, so the
// wall time and the peak RSS are the kernel's, measured the same way for both clients.
//
//   node bench/cli-transfers.mjs                      # 1 GiB, 3 rounds
//   node bench/cli-transfers.mjs --size-mb 256 --rounds 5
//
// curl uploads with -F userfile=@FILE to the URL from upload.getInfo and downloads the
// direct link from download.getInfo with -o FILE; sbay does the same through the SDK (and
// also hashes the download to check it against the ETag). Rounds alternate the two clients.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { 'size-mb': { type: 'string' }, rounds: { type: 'string' }, 'small-mb': { type: 'string' } } });
const sizeMb = Number(values['size-mb'] ?? 1024);
const smallMb = Number(values['small-mb'] ?? 64);
const rounds = Number(values.rounds ?? 3);
const MiB = 1024 * 1024;
const sbayBin = join(repoRoot, 'packages/cli/bin/sbay.js');

/** Runs under /usr/bin/time -v; returns wall seconds, peak RSS (MB) and stdout. */
function timed(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${err.slice(-1500)}`));
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
      const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
      const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1]);
      resolve({ seconds, rssMb: Math.round(rssKb / 1024), out });
    });
  });
}

async function generate(path, mb) {
  const out = createWriteStream(path);
  const block = randomBytes(MiB);
  for (let i = 0; i < mb; i++) {
    block[0] = i & 0xff;
    if (!out.write(Buffer.from(block))) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/** The middle value; with an even count, the mean of the two middle ones. */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (n) => Math.round(n * 10) / 10;

spawnSync(process.execPath, [join(repoRoot, 'scripts/build-sdk.mjs')], { stdio: 'inherit' });
const tmp = mkdtempSync(join(tmpdir(), 'sendbay-cli-bench-'));
let server;
try {
  const big = join(tmp, 'big.bin');
  const small = join(tmp, 'small.bin');
  console.error(`generating ${sizeMb} MiB and ${smallMb} MiB files…`);
  await generate(big, sizeMb);
  await generate(small, smallMb);
  const bigBytes = statSync(big).size;
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  server = await startSendbay(dataDir, {}, { users: [{ email: 'bench@example.com', password: 'bench-pass', plan: 'pro' }] });
  const env = { XDG_CONFIG_HOME: join(tmp, 'config'), SBAY_PASSWORD: 'bench-pass' };
  const sbay = (args) => timed(process.execPath, [sbayBin, ...args], env);
  await sbay(['login', '--server', server.url, '--email', 'bench@example.com']);
  const json = async (args) => JSON.parse((await sbay([...args, '--json'])).out);
  const api = async (q) => (await fetch(`${server.url}/rest/?${q}`)).text();
  const session = JSON.parse((await import('node:fs')).readFileSync(join(tmp, 'config/sendbay/session.json'), 'utf8')).sessionKey;
  const uploadUrl = async () =>
    /<upload url="([^"]+)"/.exec(await api(`method=upload.getInfo&session_key=${session}`))[1].replace(/&amp;/g, '&');
  const directUrl = async (id) =>
    /<download [^>]*url="([^"]+)"/
      .exec(await api(`method=download.getInfo&session_key=${session}&file_id=${id}`))[1]
      .replace(/&amp;/g, '&');
  const sync = () => spawnSync('sync');
  const runs = { curlUp: [], sbayUp: [], curlDown: [], sbayDown: [], sbayUpRss: [], sbayDownRss: [], curlUpRss: [], curlDownRss: [] };
  let fileId;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['curl', 'sbay'] : ['sbay', 'curl'];
    for (const who of order) {
      sync();
      if (who === 'curl') {
        const answer = join(tmp, 'answer.txt');
        const t = await timed('curl', ['-sS', '--fail', '-o', answer, '-F', `userfile=@${big}`, await uploadUrl()]);
        runs.curlUp.push(t.seconds);
        runs.curlUpRss.push(t.rssMb);
      } else {
        const t = await sbay(['upload', big, '--quiet', '--json']);
        fileId = JSON.parse(t.out)[0].fileId;
        runs.sbayUp.push(t.seconds);
        runs.sbayUpRss.push(t.rssMb);
      }
    }
    for (const who of order) {
      const out = join(tmp, `down-${who}.bin`);
      rmSync(out, { force: true });
      sync();
      if (who === 'curl') {
        const t = await timed('curl', ['-sS', '--fail', '-o', out, await directUrl(fileId)]);
        runs.curlDown.push(t.seconds);
        runs.curlDownRss.push(t.rssMb);
      } else {
        const t = await sbay(['download', fileId, '-o', out, '--quiet']);
        runs.sbayDown.push(t.seconds);
        runs.sbayDownRss.push(t.rssMb);
      }
      if (statSync(out).size !== bigBytes) throw new Error(`${who} download has the wrong size`);
      rmSync(out, { force: true });
    }
  }
  // Memory against file size: the same two commands on a file 1/16 the size.
  const [smallUp] = await json(['upload', small, '--quiet']);
  const smallUpT = await sbay(['upload', small, '--quiet']);
  const smallDownT = await sbay(['download', smallUp.fileId, '-o', join(tmp, 'small-down.bin'), '--quiet']);
  const mbps = (s) => round1(bigBytes / MiB / s);
  const res = {
    sizeMb,
    rounds,
    node: process.version,
    upload: {
      curlMBps: mbps(median(runs.curlUp)),
      sbayMBps: mbps(median(runs.sbayUp)),
      ratio: Math.round((median(runs.curlUp) / median(runs.sbayUp)) * 100) / 100,
    },
    download: {
      curlMBps: mbps(median(runs.curlDown)),
      sbayMBps: mbps(median(runs.sbayDown)),
      ratio: Math.round((median(runs.curlDown) / median(runs.sbayDown)) * 100) / 100,
    },
    rssMb: {
      sbayUpload: { [`${sizeMb}MiB`]: Math.max(...runs.sbayUpRss), [`${smallMb}MiB`]: smallUpT.rssMb },
      sbayDownload: { [`${sizeMb}MiB`]: Math.max(...runs.sbayDownRss), [`${smallMb}MiB`]: smallDownT.rssMb },
      curlUpload: Math.max(...runs.curlUpRss),
      curlDownload: Math.max(...runs.curlDownRss),
    },
    seconds: runs,
  };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/cli-transfers.json'), JSON.stringify(res, null, 2) + '\n');
  console.log(`| ${sizeMb} MiB, median of ${rounds} | curl MB/s | sbay MB/s | sbay / curl |`);
  console.log('| --- | --- | --- | --- |');
  console.log(`| upload | ${res.upload.curlMBps} | ${res.upload.sbayMBps} | ${res.upload.ratio} |`);
  console.log(`| download | ${res.download.curlMBps} | ${res.download.sbayMBps} | ${res.download.ratio} |`);
  console.log(
    `\npeak RSS (MB): sbay upload ${JSON.stringify(res.rssMb.sbayUpload)}, sbay download ${JSON.stringify(res.rssMb.sbayDownload)}, curl upload ${res.rssMb.curlUpload}, curl download ${res.rssMb.curlDownload}`,
  );
} finally {
  if (server) await stopProcess(server.child);
  rmSync(tmp, { recursive: true, force: true });
}
