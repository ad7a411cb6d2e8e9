// Helpers shared by the benchmarks: start the real server (with its accounts) or a
// baseline as a child process, wait until it listens, read its peak RSS from /proc, stop it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built server that `npm start` runs; benchmarks measure it, not the tsx dev path. */
export const sendbayBuilt = `${repoRoot}packages/server/dist/sendbay.mjs`;

/** The Node flags and environment `npm start` uses (package.json), so the benchmarks run the same process. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];
export const SERVER_ENV = { MALLOC_ARENA_MAX: '2' };

let built = false;
/** Builds dist/sendbay.mjs once per benchmark run, so it is never stale. */
export function buildSendbay() {
  if (built) return;
  const r = spawnSync(process.execPath, [`${repoRoot}scripts/build.mjs`], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  built = true;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `command args` and resolves once a stdout line matches `ready`. */
export function startProcess(command, args, { env = {}, ready, cwd = repoRoot } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${out}${err}`)), 30_000);
    let started = false;
    child.stdout.on('data', (c) => {
      // Once started, output (an access log line per request) is drained, not kept.
      if (started) return;
      out += c;
      if (ready.test(out)) {
        started = true;
        out = '';
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${err.slice(-2000)}`));
    });
  });
}

export async function stopProcess(child) {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Peak resident set size of a live process, in MB (VmHWM). */
export function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

let clockTicks;
/**
 * CPU time (user + system) a live process has used so far, in seconds, from
 * /proc/<pid>/stat. The difference over a run, divided by the calls it answered, is what
 * one call costs the server: steadier than calls per second when other work shares the
 * machine, since time spent waiting for a core is not counted.
 */
export function cpuSeconds(pid) {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces, inside parentheses).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/**
 * The command that runs `node args…`, pinned to one CPU when `cpu` is given (taskset,
 * from util-linux): on a 2-core machine, the server on one core and the load generator
 * on the other gives steadier figures than letting them share both.
 */
export function nodeCommand(args, cpu) {
  return cpu === undefined ? [process.execPath, args] : ['taskset', ['-c', String(cpu), process.execPath, ...args]];
}

/**
 * The one way a benchmark starts the Sendbay under test: the built server on a free port
 * with its data under `dataDir`, resolved once it is running and `users` are added.
 * A new data folder gets its database from the server's own first start (`sendbay serve`
 * creates the folder and migrates; the admin commands refuse a folder without a database,
 * so that an operator in the wrong folder is told), so the accounts are added with the
 * admin CLI beside the running server, as an operator would. Later starts on the same
 * folder name no users. `nodeFlags` go before the server's own (e.g. --cpu-prof).
 *
 * Resolves to `{ child, url, port, userIds }`, `userIds` giving each account's id by e-mail.
 */
export async function startSendbay(dataDir, extraEnv = {}, { cpu, users = [], nodeFlags = [] } = {}) {
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    SENDBAY_DATA_DIR: dataDir,
    SENDBAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    SENDBAY_LOG_LEVEL: 'warn',
    ...SERVER_ENV,
    ...extraEnv,
  };
  buildSendbay();
  const [command, args] = nodeCommand([...nodeFlags, ...SERVER_NODE_FLAGS, sendbayBuilt, 'serve'], cpu);
  const child = await startProcess(command, args, { env, ready: /Sendbay is running/ });
  const userIds = {};
  try {
    for (const user of users) userIds[user.email] = addUser(dataDir, extraEnv, user);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { child, url: `http://127.0.0.1:${port}`, port, userIds };
}

/** `sendbay user add` on the server's data, the password on standard input; returns the id. */
function addUser(dataDir, serverEnv, { email, password, plan }) {
  const args = ['user', 'add', '--email', email, ...(plan ? ['--plan', plan] : []), '--password-stdin'];
  return sendbayCli(dataDir, args, { env: serverEnv, input: `${password}\n` });
}

/**
 * Runs the admin CLI (the built bundle the server runs) against a data folder and returns
 * stdout. `env` is the server's own (e.g. an S3 store's settings), so the command sees
 * what the server sees.
 */
export function sendbayCli(dataDir, args, { env = {}, input } = {}) {
  buildSendbay();
  const r = spawnSync(process.execPath, [sendbayBuilt, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, SENDBAY_DATA_DIR: dataDir, SENDBAY_LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`sendbay ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}
