// `npm start` as an operator runs it: SIGTERM (or SIGINT) sent to the npm process reaches
// the server, which stops, and nothing is left listening on the port (no orphaned node).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  describe(`npm start and ${signal}`, () => {
    it(`${signal} to the npm process stops the server: nothing is left on the port`, { timeout: 120_000 }, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sendbay-npm-start-'));
      const port = await freePort();
      let group: number | undefined;
      try {
        // Its own process group, so that whatever happens the test can end every process it started.
        const npm = spawn('npm', ['start', '--silent'], {
          cwd: REPO_ROOT,
          env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), SENDBAY_DATA_DIR: dataDir, SENDBAY_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        group = npm.pid;
        const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
        let err = '';
        npm.stderr.on('data', (d: Buffer) => (err += d.toString()));
        await new Promise<void>((resolve, reject) => {
          let out = '';
          npm.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('Sendbay is running')) resolve();
          });
          void exited.then((code) => reject(new Error(`npm start exited early (${code}): ${err}`)));
        });
        assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

        npm.kill(signal);
        const stopped = await Promise.race([
          exited,
          new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000).unref()),
        ]);
        assert.equal(stopped, 0, `npm after ${signal}: ${String(stopped)} ${err}`);
        // The server (a child of npm) must be gone too, not answering as an orphan.
        let up = true;
        for (let i = 0; i < 50 && up; i++) {
          up = await listening(port);
          if (up) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(up, false, `something still listens on port ${port}`);
      } finally {
        // An orphaned server would keep the port and this test's pipes open: end the group.
        if (group !== undefined) {
          try {
            process.kill(-group, 'SIGKILL');
          } catch {
            // already gone: the expected case
          }
        }
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
