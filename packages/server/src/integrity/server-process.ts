/**
 * The server as its own operating-system process, for tests that kill it: the sources
 * bundled once with esbuild (as `npm start` runs them: a start takes a fraction of a
 * second instead of several through tsx), started with an environment, waited for on
 * /readyz, and ended with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { waitReady } from '../cluster/node-process.js';

const SERVER_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerBundle {
  file: string;
  remove(): Promise<void>;
}

/** Bundles the server's sources beside the regular build, so its imports resolve from node_modules. */
export async function bundleServer(name: string): Promise<ServerBundle> {
  const file = `${SERVER_ROOT}dist/${name}-${process.pid}.mjs`;
  await build({
    entryPoints: [`${SERVER_ROOT}src/cli/run.ts`],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        // As scripts/build.mjs: our workspace packages bundled in, the rest left to Node.
        name: 'external-dependencies',
        setup(b) {
          const ours = (p: string) => p.startsWith('@sendbay/') && p !== '@sendbay/sendfile';
          b.onResolve({ filter: /^[^./]/ }, (a) => (ours(a.path) ? undefined : { path: a.path, external: true }));
        },
      },
    ],
  });
  return { file, remove: () => rm(file, { force: true }) };
}

export interface ServerProcess {
  url: string;
  /** The last of what it printed, for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown code runs, as in a power cut or the OOM killer. */
  kill(): Promise<void>;
}

export async function startServerProcess(bundle: ServerBundle, port: number, env: Record<string, string>): Promise<ServerProcess> {
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [bundle.file, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const keep = (c: Buffer) => void (log = (log + c.toString('utf8')).slice(-10_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, 'the server', 60_000).catch(async (err: Error) => {
    await kill();
    throw new Error(`${err.message}\n${log}`);
  });
  return { url, output: () => log, kill };
}
