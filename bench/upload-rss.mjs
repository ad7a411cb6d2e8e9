// Upload memory: streams a large file (generated on the fly, never stored by the
// benchmark) through the real server's upload POST and reads the server's peak RSS
// (VmHWM) before and after. A streaming server stays flat whatever the size.
// Usage: node bench/upload-rss.mjs [--mb 1024]
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { peakRssMb, repoRoot, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '1024' } } });
const MB = 1024 * 1024;
const md5 = (s) => createHash('md5').update(s).digest('hex');
const BOUNDARY = 'sendbayBenchBoundary';

/** POSTs a multipart form with one file of `size` bytes, written as the socket drains. */
function upload(url, size) {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="userfile"; filename="bench.bin"\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': head.length + size + tail.length },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    const chunk = Buffer.alloc(256 * 1024, 0x5a);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'sendbay-bench-'));
const result = {};
try {
  const server = await startSendbay(dataDir, {}, { users: [{ email: 'bench@example.com', password: 'bench-pass', plan: 'pro' }] });
  const rest = `${server.url}/rest/`;
  const t = /<token>(\w+)<\/token>/.exec(await (await fetch(`${rest}?method=auth.createToken&api_key=bench&api_version=1.2`)).text())[1];
  const login = await (
    await fetch(`${rest}?method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${md5(t + md5('bench-pass'))}`)
  ).text();
  const sessionKey = /<session_key>(\w+)<\/session_key>/.exec(login)[1];
  const info = async () =>
    /<upload url="([^"]+)"/.exec(await (await fetch(`${rest}?method=upload.getInfo&session_key=${sessionKey}`)).text())[1];

  // A small upload first, so the baseline includes everything an upload loads.
  if (!(await upload(await info(), MB)).startsWith('upload_status=ok')) throw new Error('warm-up upload failed');
  result.rssBeforeMb = peakRssMb(server.child.pid);
  const size = Number(values.mb) * MB;
  const started = Date.now();
  const answer = await upload(await info(), size);
  const seconds = (Date.now() - started) / 1000;
  if (!answer.startsWith('upload_status=ok')) throw new Error(`upload failed: ${answer}`);
  result.sizeMb = Number(values.mb);
  result.seconds = seconds;
  result.mbPerSecond = Math.round(result.sizeMb / seconds);
  result.peakRssMb = peakRssMb(server.child.pid);
  result.growthMb = result.peakRssMb - result.rssBeforeMb;
  await stopProcess(server.child);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

console.log('| upload | time s | MB/s | peak RSS before MB | peak RSS after MB | growth MB |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| ${result.sizeMb} MiB, one file | ${result.seconds.toFixed(1)} | ${result.mbPerSecond} | ${result.rssBeforeMb} | ${result.peakRssMb} | ${result.growthMb} |`,
);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(
  join(repoRoot, 'bench/results/upload-rss.json'),
  JSON.stringify({ env: { node: process.version, date: new Date().toISOString() }, ...result }, null, 2) + '\n',
);
