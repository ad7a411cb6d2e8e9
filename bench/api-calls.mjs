// API calls per second: auth.checkSession on the real server (SQLite, a real session)
// against a bare Fastify route returning the same XML, both measured in one run with
// autocannon. Usage: node bench/api-calls.mjs [--duration 10] [--connections 32]
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, peakRssMb, repoRoot, sendbayCli, startProcess, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);

function md5(s) {
  return import('node:crypto').then(({ createHash }) => createHash('md5').update(s).digest('hex'));
}

async function measure(url) {
  // A short warm-up lets the JIT settle before the measured run.
  await autocannon({ url, connections, duration: 2 });
  const r = await autocannon({ url, connections, duration });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 };
}

const dataDir = mkdtempSync(join(tmpdir(), 'sendbay-bench-'));
const results = {};
try {
  sendbayCli(dataDir, ['user', 'add', '--email', 'bench@example.com', '--password', 'bench-pass']);
  const server = await startSendbay(dataDir);
  const base = `${server.url}/rest/`;
  const token = await (await fetch(`${base}?method=auth.createToken&api_key=bench&api_version=1.2`)).text();
  const t = /<token>(\w+)<\/token>/.exec(token)[1];
  const login = await (await fetch(`${base}?method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${await md5(t + (await md5('bench-pass')))}`)).text();
  const sessionKey = /<session_key>(\w+)<\/session_key>/.exec(login)[1];
  const sample = await (await fetch(`${base}?method=auth.checkSession&session_key=${sessionKey}`)).text();
  if (!sample.includes('status="ok"')) throw new Error(`checkSession failed: ${sample}`);

  const port = await freePort();
  const bare = await startProcess(process.execPath, [`${repoRoot}bench/baselines/bare-fastify-xml.mjs`], { env: { PORT: String(port) }, ready: /listening/ });

  results.bare = await measure(`http://127.0.0.1:${port}/rest/?method=auth.checkSession&session_key=${sessionKey}`);
  results.sendbay = await measure(`${base}?method=auth.checkSession&session_key=${sessionKey}`);
  results.sendbay.peakRssMb = peakRssMb(server.child.pid);
  results.bare.peakRssMb = peakRssMb(bare.pid);
  results.ratio = Math.round((results.sendbay.rps / results.bare.rps) * 1000) / 10;
  await stopProcess(bare);
  await stopProcess(server.child);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const env = { node: process.version, date: new Date().toISOString(), duration, connections };
console.log(`| target | requests/s | p50 ms | p99 ms | peak RSS MB |`);
console.log(`|---|---|---|---|---|`);
console.log(`| bare Fastify route, same XML | ${results.bare.rps} | ${results.bare.p50} | ${results.bare.p99} | ${results.bare.peakRssMb} |`);
console.log(`| Sendbay auth.checkSession (SQLite) | ${results.sendbay.rps} | ${results.sendbay.p50} | ${results.sendbay.p99} | ${results.sendbay.peakRssMb} |`);
console.log(`\nSendbay reaches ${results.ratio}% of the bare route (target: at least 70%).`);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/api-calls.json'), JSON.stringify({ env, ...results }, null, 2) + '\n');
