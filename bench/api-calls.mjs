// API calls per second: auth.checkSession on the real server (SQLite, a real session)
// against a bare Fastify route returning the same XML, both measured in one run with
// wrk (Debian package `wrk`; installed by this script when missing). wrk is used rather
// than autocannon because on this 2-core machine autocannon itself saturates first and
// hides the servers' difference. Usage: node bench/api-calls.mjs [--duration 10] [--connections 32]
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuSeconds, freePort, nodeCommand, peakRssMb, repoRoot, startProcess, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
// Each server runs on CPU 0 and wrk on CPU 1, so neither steals the other's core. This
// script reads the servers' access logs from their stdout; it runs on CPU 1 too, as a log
// collector would run beside the server rather than on its core: left free to run on CPU 0,
// reading the log there cost the logging server about a third of its calls per second.
const SERVER_CPU = 0;
const LOAD_CPU = '1';

function md5(s) {
  return import('node:crypto').then(({ createHash }) => createHash('md5').update(s).digest('hex'));
}

/** Moves every thread of this process onto the load generator's core (see LOAD_CPU). */
function pinThisScript() {
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
}

function ensureWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if (err.code !== 'ENOENT') return; // wrk --version exits 1 but exists
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-qq'], { env, stdio: 'inherit' });
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', 'wrk'], { env, stdio: 'inherit' });
  }
}

function ms(value) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return value;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/**
 * One wrk thread, `connections` keep-alive connections; a short warm-up first. With the
 * server's `pid`, also the server's CPU time per answered call (µs) over the timed run.
 */
// Asynchronous, so this process keeps draining the servers' stdout (their access logs) meanwhile.
async function measure(url, pid) {
  const run = promisify(execFile);
  await run('taskset', ['-c', LOAD_CPU, 'wrk', '-t1', `-c${connections}`, '-d2s', url]);
  const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
  const out = (await run('taskset', ['-c', LOAD_CPU, 'wrk', '-t1', `-c${connections}`, `-d${duration}s`, '--latency', url])).stdout;
  const cpu = pid === undefined ? 0 : cpuSeconds(pid) - cpuBefore;
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`${url}: errors\n${out}`);
  const calls = Number(/(\d+) requests in/.exec(out)[1]);
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1])),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)[1]),
    ...(pid === undefined ? {} : { cpuUsPerCall: Math.round((cpu * 1e6) / calls) }),
  };
}

ensureWrk();
pinThisScript();

const dataDir = mkdtempSync(join(tmpdir(), 'sendbay-bench-'));
const results = {};
try {
  // The access log is on (level info, as `npm start` runs): its cost is part of the figure.
  // A second Sendbay with SENDBAY_ACCESS_LOG=off on the same data shows what the log costs.
  const users = [{ email: 'bench@example.com', password: 'bench-pass' }];
  const server = await startSendbay(dataDir, { SENDBAY_LOG_LEVEL: 'info' }, { cpu: SERVER_CPU, users });
  const quiet = await startSendbay(dataDir, { SENDBAY_LOG_LEVEL: 'info', SENDBAY_ACCESS_LOG: 'off' }, { cpu: SERVER_CPU });
  const base = `${server.url}/rest/`;
  const token = await (await fetch(`${base}?method=auth.createToken&api_key=bench&api_version=1.2`)).text();
  const t = /<token>(\w+)<\/token>/.exec(token)[1];
  const login = await (
    await fetch(
      `${base}?method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${await md5(t + (await md5('bench-pass')))}`,
    )
  ).text();
  const sessionKey = /<session_key>(\w+)<\/session_key>/.exec(login)[1];
  const sample = await (await fetch(`${base}?method=auth.checkSession&session_key=${sessionKey}`)).text();
  if (!sample.includes('status="ok"')) throw new Error(`checkSession failed: ${sample}`);

  const port = await freePort();
  const [command, args] = nodeCommand([`${repoRoot}bench/baselines/bare-fastify-xml.mjs`], SERVER_CPU);
  const bare = await startProcess(command, args, { env: { PORT: String(port) }, ready: /listening/ });

  // Rounds alternate between the two servers; the median round of each is reported.
  const bareRuns = [];
  const sendbayRuns = [];
  const quietRuns = [];
  for (let i = 0; i < rounds; i++) {
    bareRuns.push(await measure(`http://127.0.0.1:${port}/rest/?method=auth.checkSession&session_key=${sessionKey}`));
    sendbayRuns.push(await measure(`${base}?method=auth.checkSession&session_key=${sessionKey}`, server.child.pid));
    quietRuns.push(await measure(`${quiet.url}/rest/?method=auth.checkSession&session_key=${sessionKey}`, quiet.child.pid));
  }
  const median = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
  results.bare = { ...median(bareRuns), rounds: bareRuns.map((r) => r.rps) };
  results.sendbay = { ...median(sendbayRuns), rounds: sendbayRuns.map((r) => r.rps) };
  results.quiet = { ...median(quietRuns), rounds: quietRuns.map((r) => r.rps) };
  results.sendbay.peakRssMb = peakRssMb(server.child.pid);
  results.quiet.peakRssMb = peakRssMb(quiet.child.pid);
  // The log's cost, two ways, both from the same interleaved rounds: the call rate with
  // the log on as a share of the rate with it off (noisy on a shared machine), and the
  // server's CPU time per call, on against off (the median round's of each).
  results.accessLogRateRatio = Math.round((results.sendbay.rps / results.quiet.rps) * 1000) / 10;
  results.accessLogCost = Math.round((100 - results.accessLogRateRatio) * 10) / 10;
  const cpuMedian = (runs) => [...runs.map((r) => r.cpuUsPerCall)].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  results.sendbay.cpuUsPerCall = cpuMedian(sendbayRuns);
  results.quiet.cpuUsPerCall = cpuMedian(quietRuns);
  results.sendbay.cpuRounds = sendbayRuns.map((r) => r.cpuUsPerCall);
  results.quiet.cpuRounds = quietRuns.map((r) => r.cpuUsPerCall);
  results.bare.peakRssMb = peakRssMb(bare.pid);
  results.ratio = Math.round((results.sendbay.rps / results.bare.rps) * 1000) / 10;
  await stopProcess(bare);
  await stopProcess(server.child);
  await stopProcess(quiet.child);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const env = { node: process.version, date: new Date().toISOString(), duration, connections, rounds, tool: 'wrk -t1, pinned with taskset' };
console.log(`| target | requests/s (median of ${rounds}) | every round | p50 ms | p99 ms | peak RSS MB |`);
console.log(`|---|---|---|---|---|---|`);
for (const [label, r] of [
  ['bare Fastify route, same XML', results.bare],
  ['Sendbay auth.checkSession (SQLite)', results.sendbay],
  ['the same, SENDBAY_ACCESS_LOG=off', results.quiet],
])
  console.log(`| ${label} | ${r.rps} | ${r.rounds.join(', ')} | ${r.p50} | ${r.p99} | ${r.peakRssMb} |`);
console.log(`\nSendbay reaches ${results.ratio}% of the bare route (target: at least 80%).`);
console.log(
  `With the access log on, Sendbay answered ${results.accessLogRateRatio}% of the calls per second it answered with it off ` +
    `(${results.sendbay.rps} vs ${results.quiet.rps}, medians of ${rounds} interleaved rounds: a cost of ${results.accessLogCost}%).`,
);
console.log(
  `Server CPU per call, log on vs off: ${results.sendbay.cpuUsPerCall} vs ${results.quiet.cpuUsPerCall} µs ` +
    `(every round: ${results.sendbay.cpuRounds.join(', ')} vs ${results.quiet.cpuRounds.join(', ')}).`,
);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/api-calls.json'), JSON.stringify({ env, ...results }, null, 2) + '\n');
