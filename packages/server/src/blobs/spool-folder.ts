/**
 * The local folder an S3 store spools parts in while it sends them: one per process
 * (`<pid>-<random>` under the configured folder), so that processes sharing a data folder
 * (the server and an admin command beside it) never touch each other's files, and what a
 * process that died mid-upload left behind is removed by the next one to spool there.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomKey } from '../lib/crypto.js';

export class SpoolFolder {
  private mine: Promise<string> | undefined;

  constructor(private readonly root: string = join(tmpdir(), 'sendbay-spool')) {}

  /** This process's folder, made (and the dead processes' removed) on first use. */
  async ready(): Promise<string> {
    this.mine ??= this.prepare().catch((err: unknown) => {
      this.mine = undefined;
      throw err;
    });
    const dir = await this.mine;
    // Made again if something removed it meanwhile (a cleaner of temporary folders).
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Every file of one upload (named `<id>.<anything>`). */
  async removeAll(id: string): Promise<void> {
    if (!this.mine) return;
    const dir = await this.mine;
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(`${id}.`)).map((n) => rm(join(dir, n), { force: true })));
  }

  private async prepare(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    for (const name of await readdir(this.root)) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      // A folder with this process's pid is from an earlier life of it (a container restarted).
      if (!Number.isInteger(pid) || pid === process.pid || !alive(pid)) await rm(join(this.root, name), { recursive: true, force: true });
    }
    const mine = join(this.root, `${process.pid}-${randomKey(8).toLowerCase()}`);
    await mkdir(mine);
    return mine;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
