/**
 * The server's own log as an operator reads it: the real process writing to a pipe.
 * Lines are buffered so that a busy server does not pay a write per request, yet a quiet
 * one still delivers each line within a second, not once 4 KiB have gathered, and not
 * only at exit.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../cluster/node-process.js';
import { bundleServer, startServerProcess, type ServerBundle, type ServerProcess } from '../integrity/server-process.js';
import { waitFor } from '../testing/upload-kit.js';

describe('the log on standard output', () => {
  let bundle: ServerBundle;
  let dataDir: string;
  let server: ServerProcess;

  before(async () => {
    bundle = await bundleServer('log-delivery');
    dataDir = await mkdtemp(join(tmpdir(), 'sendbay-log-'));
    const port = await freePort();
    server = await startServerProcess(bundle, port, {
      SENDBAY_DATA_DIR: dataDir,
      SENDBAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SENDBAY_LOG_LEVEL: 'info',
    });
  });
  after(async () => {
    await server?.kill();
    await bundle?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('carries the access line of a lone request within two seconds, while the server keeps running', async () => {
    const res = await fetch(`${server.url}/rest/?method=auth.createToken&api_key=quiet-hour&api_version=1.2`);
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    assert.ok(id);
    type Line = { component?: string; status?: number };
    const line = await waitFor(
      async () =>
        server
          .output()
          .split('\n')
          .filter((l) => l.includes(id))
          .map((l) => JSON.parse(l) as Line)[0],
      2_000,
      `the access line of ${id}`,
    ).catch((err: Error) => assert.fail(`${err.message}:\n${server.output()}`));
    assert.equal(line.component, 'access');
    assert.equal(line.status, 200);
  });
});
