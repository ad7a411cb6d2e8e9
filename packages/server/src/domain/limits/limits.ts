/**
 * The rules that fire on their own: a file's download limit and time limit (with its
 * action: 0 none, 1 block, 2 delete, 3 move), and the expiry of idle anonymous files.
 *
 * They are enforced three ways, all safe to run at once in several processes:
 * - when a file is touched (download.getInfo, the direct link, the download page, and
 *   any other code that calls `enforceOnTouch`): a file past its limit is acted on
 *   before anyone sees it;
 * - by the download that reaches the limit: it calls `fire` right after its count;
 * - by the periodic sweepers, which catch files nobody touches.
 * Each action is a conditional update (or, for delete, a conditional row delete), so
 * it runs exactly once whoever gets there first.
 */
import type { Logger } from 'pino';
import type { FileRow, FilesRepository } from '../../metadata/repositories/files.js';
import type { DownloadsRepository } from '../../metadata/repositories/downloads.js';
import type { Clock } from '../clock.js';
import type { FileRemoval } from '../file-removal.js';
import { anonymousCutoff, anonymousExpired, limitReached } from './limit-state.js';

export const LIMIT_ACTION = { none: 0, block: 1, delete: 2, move: 3 } as const;

/** Rows handled per sweeper query; a run loops until a batch comes back short. */
const SWEEP_BATCH = 200;
/** Bound on batches per run, so a row that keeps failing cannot spin a run forever. */
const SWEEP_MAX_BATCHES = 50;

export interface LimitsDeps {
  files: FilesRepository;
  downloads: DownloadsRepository;
  fileRemoval: FileRemoval;
  clock: Clock;
  anonymousExpiryDays: number;
  log: Logger;
}

export class Limits {
  constructor(private readonly d: LimitsDeps) {}

  /**
   * Applies whatever is due to a file someone is about to see: returns it as it now is,
   * or undefined when it no longer exists (deleted by its limit, or expired).
   */
  async enforceOnTouch(file: FileRow): Promise<FileRow | undefined> {
    const now = this.d.clock.now();
    if (anonymousExpired(file, now, this.d.anonymousExpiryDays)) {
      await this.d.fileRemoval.remove([file]);
      return undefined;
    }
    if (file.blocked === 0 && limitReached(file, now)) return this.fire(file);
    return file;
  }

  /**
   * Runs the file's limit action if its limit is reached and the action has not run.
   * Returns the file as it now is (undefined once deleted).
   */
  async fire(file: FileRow): Promise<FileRow | undefined> {
    const now = this.d.clock.now();
    if (file.limit_action === LIMIT_ACTION.delete) {
      // The conditional row delete inside FileRemoval is the claim: one caller removes
      // the row and releases the quota, the others find nothing to remove.
      if ((await this.d.fileRemoval.remove([file])).length > 0)
        this.d.log.info({ fileId: file.id, action: 'delete' }, 'file limit reached');
      return undefined;
    }
    let ran: boolean;
    if (file.limit_action === LIMIT_ACTION.move) ran = await this.d.downloads.claimMove(file.id, file.limit_action_to_folder ?? '0', now);
    else ran = await this.d.downloads.claimBlock(file.id, now);
    if (ran) this.d.log.info({ fileId: file.id, action: file.limit_action === LIMIT_ACTION.move ? 'move' : 'block' }, 'file limit reached');
    return this.d.files.findById(file.id);
  }

  /**
   * `fire` for the download that reached the limit: that download is already counted
   * and will be served, so a failure here is logged, not thrown; the sweeper (or the
   * next touch) runs the action later, still once.
   */
  async fireAfterCount(file: FileRow): Promise<void> {
    try {
      await this.fire(file);
    } catch (err) {
      this.d.log.error({ err, fileId: file.id }, 'limit action failed; the sweeper will retry');
    }
  }

  /** Sweeper: fires every limit that is due. Returns how many files were acted on. */
  async sweepDueLimits(): Promise<number> {
    let acted = 0;
    for (let i = 0; i < SWEEP_MAX_BATCHES; i++) {
      const due = await this.d.downloads.findDueLimits(this.d.clock.now(), SWEEP_BATCH);
      let progress = 0;
      for (const file of due) {
        const after = await this.fire(file);
        if (after === undefined || after.blocked === 1) progress++;
      }
      acted += progress;
      if (due.length < SWEEP_BATCH || progress === 0) break;
    }
    return acted;
  }

  /** Sweeper: deletes anonymous files idle for longer than the configured days. */
  async sweepExpiredAnonymous(): Promise<number> {
    if (this.d.anonymousExpiryDays <= 0) return 0;
    let removed = 0;
    for (let i = 0; i < SWEEP_MAX_BATCHES; i++) {
      const idle = await this.d.downloads.findIdleAnonymous(anonymousCutoff(this.d.clock.now(), this.d.anonymousExpiryDays), SWEEP_BATCH);
      const gone = (await this.d.fileRemoval.remove(idle)).length;
      removed += gone;
      if (idle.length < SWEEP_BATCH || gone === 0) break;
    }
    return removed;
  }
}
