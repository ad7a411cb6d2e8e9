// The systemd unit in deploy/: systemd itself accepts it, and it runs the same process
// as `npm start` (same entry, same Node flags), so the two cannot drift apart.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const UNIT = `${REPO_ROOT}deploy/sendbay.service`;
const run = promisify(execFile);

async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    await run('systemd-analyze', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('deploy/sendbay.service', () => {
  it('passes systemd-analyze verify', async (t) => {
    if (!(await hasSystemdAnalyze())) return t.skip('systemd-analyze is not installed (Debian package systemd; .ci/run installs it)');
    const { stdout, stderr } = await run('systemd-analyze', ['verify', UNIT], { cwd: '/' });
    assert.equal(`${stdout}${stderr}`.trim(), '', 'no warnings');
  });

  it('starts what npm start starts, with the same flags and environment', () => {
    const unit = readFileSync(UNIT, 'utf8');
    const start = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
    const execStart = /^ExecStart=\/usr\/bin\/env (.+)$/m.exec(unit)?.[1];
    assert.ok(execStart, 'ExecStart runs node through /usr/bin/env');
    assert.ok(start.endsWith(execStart), `npm start is "${start}", the unit runs "${execStart}"`);
    for (const assignment of start.match(/\b[A-Z_]+=\S+/g) ?? []) assert.match(unit, new RegExp(`^Environment=${assignment}$`, 'm'));
    assert.match(unit, /^KillSignal=SIGTERM$/m);
  });
});
