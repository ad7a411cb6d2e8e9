// The S3 store's spool folder: one per process, and what dead processes left is removed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpoolFolder } from './spool-folder.js';

describe('SpoolFolder', () => {
  const roots: string[] = [];
  after(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it("removes the folders of processes that are gone and keeps a living process's", async () => {
    const root = await mkdtemp(join(tmpdir(), 'sendbay-spool-'));
    roots.push(root);
    // A process that has exited: its pid is free (or reused, which only keeps a stale folder).
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    const living = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      for (const name of [`${dead.pid}-aaaa`, `${living.pid}-bbbb`, `${process.pid}-earlier`]) {
        await mkdir(join(root, name));
        await writeFile(join(root, name, 'put-x.w1'), 'part');
      }
      const mine = await new SpoolFolder(root).ready();
      const left = (await readdir(root)).sort();
      assert.deepEqual(left, [`${living.pid}-bbbb`, mine.slice(root.length + 1)].sort());
      assert.match(mine, new RegExp(`/${process.pid}-[a-z0-9]+$`));
    } finally {
      living.kill();
    }
  });

  it("removeAll takes one upload's files and no other's", async () => {
    const root = await mkdtemp(join(tmpdir(), 'sendbay-spool-'));
    roots.push(root);
    const spool = new SpoolFolder(root);
    const dir = await spool.ready();
    for (const name of ['put-a.w1', 'put-a.w2', 'put-ab.w1']) await writeFile(join(dir, name), 'x');
    await spool.removeAll('put-a');
    assert.deepEqual(await readdir(dir), ['put-ab.w1']);
  });
});
