// The web upload page against curl, in the same run: a 1 GiB file (by default) sent
// (a) by headless Chromium from the upload page, as a person would (the page script sends
// it with tus: a creation POST to /tus/, then PATCHes), and (b) by curl -F to the web
// form's action with the same fields. Each figure is the median of --repeat rounds, the
// two alternating; `sync` before each. Chromium's figure runs from its tus creation
// request to the end of its last PATCH (the browser's own events), curl's is its
// time_total. Every
// stored file is checked by size and deleted. Then the page weight: HTML and the JS + CSS
// each page loads, raw and gzipped.
// Usage: node bench/web-upload.mjs [--size-mb 1024] [--repeat 3]
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { repoRoot, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '1024' }, repeat: { type: 'string', default: '3' } } });
const MiB = 1024 * 1024;
const sizeMb = Number(values['size-mb']);
const repeat = Number(values.repeat);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round2 = (x) => Math.round(x * 100) / 100;

async function generateFile(path, mb) {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update('web').digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  async function* chunks() {
    for (let i = 0; i < mb; i++) yield cipher.update(zeros);
  }
  await pipeline(chunks(), createWriteStream(path));
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code} ${err}`))));
  });
}

/** The upload form of `/`: its action and hidden fields, from a fresh page load. */
async function uploadForm(url) {
  const html = await (await fetch(`${url}/`)).text();
  const form = html.split('<form').pop();
  const action = new URL(/action="([^"]+)"/.exec(form)[1].replace(/&amp;/g, '&'), url).href;
  const hidden = Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return { action, hidden };
}

const tmp = mkdtempSync(join(tmpdir(), 'sendbay-web-bench-'));
let server;
let browser;
try {
  const file = join(tmp, 'bench.bin');
  console.error(`generating ${sizeMb} MiB…`);
  await generateFile(file, sizeMb);
  const bytes = statSync(file).size;
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  server = await startSendbay(dataDir, { SENDBAY_ANON_MAX_FILE_SIZE: '-1' });
  const profile = join(tmp, 'profile');
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.SENDBAY_TEST_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  const checkAndDelete = async (fileIdOrUrl) => {
    const id = /\/file\/([a-z0-9]+)/.exec(fileIdOrUrl)?.[1] ?? fileIdOrUrl;
    const page = await (await fetch(`${server.url}/file/${id}`)).text();
    if (!page.includes(`(${bytes} bytes)`)) throw new Error(`stored file ${id} has the wrong size`);
    rmSync(join(dataDir, 'blobs'), { recursive: true, force: true }); // the sweeper/fsck would flag it; the bench only needs the disk back
    mkdirSync(join(dataDir, 'blobs'));
  };

  const targets = {
    chromium: {
      label: 'headless Chromium, upload page (tus: creation + PATCHes)',
      async run() {
        const page = await browser.newPage();
        await page.goto(`${server.url}/`);
        await page.setInputFiles('#f-files', file);
        let sent = 0;
        let done = 0;
        const tus = (r) => new URL(r.url()).pathname.startsWith('/tus/');
        page.on('request', (r) => tus(r) && r.method() === 'POST' && sent === 0 && (sent = performance.now()));
        page.on('requestfinished', (r) => tus(r) && r.method() === 'PATCH' && (done = performance.now()));
        await Promise.all([page.waitForURL(`${server.url}/upload/done`, { timeout: 600_000 }), page.click('#upload-submit')]);
        const share = await page.getAttribute('a.share-url', 'href');
        await page.close();
        return { seconds: (done - sent) / 1000, share };
      },
    },
    curl: {
      label: 'curl -F to the same action, same fields',
      async run() {
        const { action, hidden } = await uploadForm(server.url);
        const answer = join(tmp, 'answer.html');
        const fields = ['PROGRESS_URL', 'signature', 'js_enabled', 'upload_files', 'terms'].flatMap((k) => [
          '-F',
          `${k}=${hidden[k] ?? ''}`,
        ]);
        const out = await run('curl', [
          '-sS',
          '-o',
          answer,
          '-w',
          '%{http_code} %{time_total}',
          // No 100-continue round trip: browsers do not wait for one either.
          '-H',
          'Expect:',
          ...fields,
          '-F',
          `upload_file[]=@${file}`,
          action,
        ]);
        const [code, seconds] = out.trim().split(' ').map(Number);
        const share = /href="([^"]+\/file\/[a-z0-9]+)"[^\n]*share link">/.exec(readFileSync(answer, 'utf8'))?.[1];
        if (code !== 200 || !share) throw new Error(`curl: ${code}`);
        return { seconds, share };
      },
    },
  };

  const times = { chromium: [], curl: [] };
  for (let round = 0; round < repeat; round++) {
    for (const name of round % 2 ? ['curl', 'chromium'] : ['chromium', 'curl']) {
      spawnSync('sync');
      const r = await targets[name].run();
      await checkAndDelete(r.share);
      times[name].push(r.seconds);
      console.error(`round ${round + 1} ${name}: ${round2(r.seconds)} s`);
    }
  }
  const mbps = (s) => round2(bytes / MiB / s);
  const rows = Object.entries(targets).map(([name, t]) => ({
    target: t.label,
    medianSeconds: round2(median(times[name])),
    mibPerSecond: mbps(median(times[name])),
    rounds: times[name].map(round2),
  }));
  const ratio = round2(median(times.curl) / median(times.chromium));

  // Page weight: the HTML of each page and the assets it loads.
  const weight = [];
  const pageUrls = { 'upload page /': '/', 'login /login': '/login', 'register /register': '/register', 'not found': '/file/zzzzzz' };
  for (const [name, path] of Object.entries(pageUrls)) {
    const html = await (await fetch(`${server.url}${path}`)).text();
    const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    let raw = 0;
    let gz = 0;
    for (const a of assets) {
      const body = Buffer.from(await (await fetch(`${server.url}${a}`)).arrayBuffer());
      raw += body.length;
      gz += gzipSync(body, { level: 9 }).length;
    }
    weight.push({
      page: name,
      htmlBytes: Buffer.byteLength(html),
      htmlGzip: gzipSync(html).length,
      assets: assets.length,
      jsCssBytes: raw,
      jsCssGzip: gz,
    });
  }

  const result = { date: new Date().toISOString(), node: process.version, sizeMiB: sizeMb, rows, chromiumToCurl: ratio, weight };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/web-upload.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`| target | median s | MiB/s | every round |\n| --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.target} | ${r.medianSeconds} | ${r.mibPerSecond} | ${r.rounds.join(', ')} |`);
  console.log(`\nChromium reaches ${Math.round(ratio * 1000) / 10}% of curl's speed (target: at least 80%).\n`);
  console.log(`| page | HTML bytes | HTML gzip | assets | JS+CSS bytes | JS+CSS gzip |\n| --- | --- | --- | --- | --- | --- |`);
  for (const w of weight) console.log(`| ${w.page} | ${w.htmlBytes} | ${w.htmlGzip} | ${w.assets} | ${w.jsCssBytes} | ${w.jsCssGzip} |`);
} finally {
  await browser?.close();
  if (server) await stopProcess(server.child);
  rmSync(tmp, { recursive: true, force: true });
}
