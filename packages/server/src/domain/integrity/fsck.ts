/**
 * The integrity check behind `sendbay fsck`, over the seams only (any metadata engine,
 * any blob store): every file row has its blob, with the recorded size and SHA-256;
 * blobs no row refers to are listed; each account's disk usage is recomputed.
 *
 * Repair is conservative: stray blobs older than the grace period are removed (younger
 * ones may be uploads in flight on a running server) and usage figures are corrected.
 * A row whose blob is missing or damaged is reported, never deleted: the operator
 * decides (restore the blob from a backup, or delete the file).
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock } from '../clock.js';

export type ProblemKind = 'missing-blob' | 'size-mismatch' | 'hash-mismatch' | 'unreadable-blob' | 'stray-blob' | 'usage-drift';

export interface Problem {
  kind: ProblemKind;
  /** One line naming what is wrong, e.g. `file x1y2: blob ab12… is missing`. */
  detail: string;
  repaired: boolean;
}

export interface FsckReport {
  files: number;
  bytes: number;
  blobs: number;
  problems: Problem[];
  /** Strays younger than the grace period: left alone, not problems. */
  recentStrays: number;
}

export interface FsckDeps {
  files: {
    integrityBatch(afterId: string, limit: number): Promise<{ id: string; blob_key: string; size: number; sha256: string }[]>;
    referencedBlobKeys(keys: readonly string[]): Promise<Set<string>>;
  };
  quota: {
    diskDrift(): Promise<{ userId: string; email: string; recorded: number; actual: number }[]>;
    recomputeDisk(userId: string): Promise<void>;
  };
  blobs: BlobStore;
  clock: Clock;
  graceSeconds: number;
}

export interface FsckOptions {
  repair: boolean;
  /** Read every blob to compare its SHA-256 (slow on big stores; sizes are always checked). */
  hashes: boolean;
}

const BATCH = 500;

async function sha256Of(blobs: BlobStore, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await blobs.get(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class Fsck {
  constructor(private readonly d: FsckDeps) {}

  async run(opts: FsckOptions): Promise<FsckReport> {
    const report: FsckReport = { files: 0, bytes: 0, blobs: 0, problems: [], recentStrays: 0 };
    const problem = (kind: ProblemKind, detail: string, repaired = false) => report.problems.push({ kind, detail, repaired });

    for (let after = ''; ;) {
      const rows = await this.d.files.integrityBatch(after, BATCH);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      for (const row of rows) {
        report.files++;
        report.bytes += row.size;
        const stat = await this.d.blobs.stat(row.blob_key);
        if (!stat) {
          problem('missing-blob', `file ${row.id}: its blob ${row.blob_key} is missing`);
          continue;
        }
        if (stat.size !== row.size) {
          problem('size-mismatch', `file ${row.id}: blob ${row.blob_key} holds ${stat.size} bytes, the row says ${row.size}`);
          continue;
        }
        if (!opts.hashes) continue;
        try {
          const actual = await sha256Of(this.d.blobs, row.blob_key);
          if (actual !== row.sha256)
            problem('hash-mismatch', `file ${row.id}: blob ${row.blob_key} is damaged (SHA-256 ${actual}, the row says ${row.sha256})`);
        } catch (err) {
          problem('unreadable-blob', `file ${row.id}: blob ${row.blob_key} cannot be read: ${(err as Error).message}`);
        }
      }
    }

    const cutoff = this.d.clock.now() - this.d.graceSeconds;
    for await (const batch of this.d.blobs.list()) {
      report.blobs += batch.length;
      const referenced = await this.d.files.referencedBlobKeys(batch);
      for (const key of batch) {
        if (referenced.has(key)) continue;
        const stat = await this.d.blobs.stat(key);
        if (!stat) continue; // gone meanwhile
        if (stat.modifiedAt > cutoff) {
          report.recentStrays++;
          continue;
        }
        let repaired = false;
        if (opts.repair) {
          await this.d.blobs.delete(key);
          repaired = true;
        }
        problem('stray-blob', `blob ${key} (${stat.size} bytes) belongs to no file`, repaired);
      }
    }

    for (const drift of await this.d.quota.diskDrift()) {
      if (opts.repair) await this.d.quota.recomputeDisk(drift.userId);
      problem(
        'usage-drift',
        `account ${drift.email}: disk usage recorded as ${drift.recorded} bytes, its files hold ${drift.actual}`,
        opts.repair,
      );
    }
    return report;
  }
}
