/**
 * Removes what interrupted uploads leave behind: blobs that no file row references
 * (a crash between storing the bytes and committing the rows), and stale temporary
 * files of the store. Blobs younger than the grace period are left alone, as are the
 * keys of uploads still running in this process, so an upload in flight is never
 * swept from under itself.
 */
import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { FilesRepository } from '../../metadata/repositories/files.js';
import type { Clock } from '../clock.js';

export interface OrphanSweeperDeps {
  blobs: BlobStore;
  files: Pick<FilesRepository, 'referencedBlobKeys'>;
  clock: Clock;
  log: Logger;
  /** Seconds an unreferenced blob (or a temporary file) must have been left untouched. */
  graceSeconds: number;
  isInFlight: (key: string) => boolean;
}

export interface SweepResult {
  orphans: number;
  temporaries: number;
}

export class OrphanSweeper {
  constructor(private readonly d: OrphanSweeperDeps) {}

  async run(): Promise<SweepResult> {
    const cutoff = this.d.clock.now() - this.d.graceSeconds;
    let orphans = 0;
    for await (const batch of this.d.blobs.list()) {
      const referenced = await this.d.files.referencedBlobKeys(batch);
      for (const key of batch) {
        if (referenced.has(key) || this.d.isInFlight(key)) continue;
        const stat = await this.d.blobs.stat(key);
        if (!stat || stat.modifiedAt > cutoff) continue;
        await this.d.blobs.delete(key);
        orphans++;
      }
    }
    const temporaries = (await this.d.blobs.removeStaleTemporaries?.(this.d.graceSeconds, this.d.isInFlight)) ?? 0;
    if (orphans > 0 || temporaries > 0) this.d.log.info({ orphans, temporaries }, 'swept interrupted uploads');
    return { orphans, temporaries };
  }
}
