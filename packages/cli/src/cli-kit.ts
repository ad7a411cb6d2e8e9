/** Test helper: runs the sbay CLI from its sources as a child process, as a user's shell would. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
// By URL: the child runs in a folder of its own, where a bare `tsx` would not resolve.
const tsx = import.meta.resolve('tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts sbay as a child process (a test may kill it mid-way); `done` resolves when it exits. */
export function spawnSbay(
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
): { child: ChildProcessWithoutNullStreams; done: Promise<CliRun> } {
  // NODE_TEST_CONTEXT would make the child report to this test runner instead of running.
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_TEST_CONTEXT: undefined,
    SBAY_PASSWORD: undefined,
    SBAY_SERVER: undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, ['--conditions=sendbay-source', '--import', tsx, main, ...args], {
    env: env as NodeJS.ProcessEnv,
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  child.stdin.end(opts.input ?? '');
  return { child, done };
}

export function runSbay(
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  return spawnSbay(args, opts).done;
}
