/**
 * A Sendbay node as its own operating-system process (`sendbay serve`), as a cluster
 * runs it: started with an environment, probed through /readyz, stopped, or killed
 * with SIGKILL mid-request. For the cluster test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface NodeProcess {
  name: string;
  url: string;
  port: number;
  /** What the node wrote to stderr/stdout at warn level and above, for failure messages. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same port with the same environment. */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function waitReady(url: string, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      last = await res.text();
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms (last answer: ${last})`);
}

export async function startNode(name: string, port: number, env: Record<string, string>): Promise<NodeProcess> {
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    child = spawn(process.execPath, ['packages/server/bin/sendbay.js', 'serve'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer) => {
      log = (log + c.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitReady(`http://127.0.0.1:${port}`, name).catch((err: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${err.message}\n${log}`);
    });
  };
  await launch();
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => log,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    restart: launch,
  };
}
