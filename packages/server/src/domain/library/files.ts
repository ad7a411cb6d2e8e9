/**
 * files.*: what a user does with the files they store. Each method takes an id list and
 * answers per id (see id-results.ts): 9 for ids the caller cannot see (unknown and
 * foreign alike), 11 for a team mate's shared file the caller may only read.
 */
import { ApiError } from '@sendbay/protocol';
import type { PlanLimits, PlanName } from '../../config.js';
import { randomKey, type Secrets } from '../../lib/crypto.js';
import type { Mailer } from '../../mail/email.js';
import type { FileChanges, FileRow, LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import { accountStatus } from '../account-status.js';
import type { Clock } from '../clock.js';
import type { Limits } from '../limits/limits.js';
import type { Contacts } from '../contacts.js';
import type { FileRemoval } from '../file-removal.js';
import type { Links } from '../links.js';
import type { LibraryAccess, Viewer } from './access.js';
import { failed, succeeded, type IdResult } from './id-results.js';
import { cleanName } from './names.js';
import { mailLinksToEach } from './share-mail.js';
import type { FileView, LibraryViews } from './views.js';

/**
 * files.setInfo's parameters: undefined leaves a field alone, '' or null (sent empty)
 * clears it.
 */
export interface FileInfoChanges {
  name?: string | undefined;
  description?: string | undefined;
  password?: string | undefined;
  folderId?: string | undefined;
  /** Seconds from now; 0 or null removes the time limit. */
  timeLimit?: number | null | undefined;
  /** 0 or null removes the download limit. */
  downloadLimit?: number | null | undefined;
  limitAction?: 0 | 1 | 2 | 3 | null | undefined;
  limitActionToFolder?: string | undefined;
  businessShared?: 0 | 1 | null | undefined;
}

export interface LibraryFilesDeps {
  access: LibraryAccess;
  views: LibraryViews;
  files: LibraryFilesRepository;
  fileRemoval: FileRemoval;
  mailer: Mailer;
  contacts: Contacts;
  links: Links;
  secrets: Secrets;
  clock: Clock;
  plans: Record<PlanName, PlanLimits>;
  /** Runs a passed time limit's action before the file is shown or changed. */
  limits: Pick<Limits, 'enforceOnTouch'>;
}

export class LibraryFiles {
  constructor(private readonly d: LibraryFilesDeps) {}

  /**
   * A folder the caller may put files into: '0' (also for '') or one of their own
   * folders. Anything else fails the whole call: 10, or 11 for a team mate's shared
   * folder (visible, read-only).
   */
  async ownTargetFolder(viewer: Viewer, raw: string): Promise<string> {
    const id = raw.trim().toLowerCase();
    if (id === '' || id === '0') return '0';
    const granted = await this.d.access.folder(viewer, id);
    if (!granted) throw new ApiError(10, `Folder not found: ${id.slice(0, 40)}`);
    if (granted.access !== 'owner') throw new ApiError(11, 'Permission denied: the folder belongs to a team mate');
    return id;
  }

  /** Resolves ids; `mode: 'write'` turns read-only (team) files into error 11. */
  private async resolve(
    viewer: Viewer,
    ids: readonly string[],
    mode: 'read' | 'write',
  ): Promise<IdResult<{ row: FileRow; access: 'owner' | 'team' }>[]> {
    const granted = await this.d.access.files(viewer, ids);
    const now = this.d.clock.now();
    for (const [id, g] of granted) {
      if (g.row.limit_expires_at === null || g.row.limit_expires_at > now) continue;
      const live = await this.d.limits.enforceOnTouch(g.row);
      if (live) granted.set(id, { ...g, row: live });
      else granted.delete(id);
    }
    return ids.map((id) => {
      const g = granted.get(id);
      if (!g) return failed(id, 9);
      if (mode === 'write' && g.access !== 'owner') return failed(id, 11, 'Permission denied: the file belongs to a team mate');
      return succeeded(id, g);
    });
  }

  /** Views of the rows as they are now, in request order; ids gone meanwhile become 9. */
  private async reread(viewer: Viewer, results: IdResult<unknown>[]): Promise<IdResult<FileView>[]> {
    const okIds = results.filter((r) => !r.error).map((r) => r.id);
    const rows = new Map((await this.d.files.findByIds(okIds)).filter((r) => r.owner_id === viewer.user.id).map((r) => [r.id, r]));
    return results.map((r) => {
      if (r.error) return { id: r.id, error: r.error };
      const row = rows.get(r.id);
      return row ? succeeded(r.id, this.d.views.file(row, 'owner')) : failed(r.id, 9);
    });
  }

  async getInfo(user: UserRow, ids: readonly string[]): Promise<IdResult<FileView>[]> {
    const results = await this.resolve(this.d.access.viewer(user), ids, 'read');
    return results.map((r) => (r.error ? { id: r.id, error: r.error } : succeeded(r.id, this.d.views.file(r.value.row, r.value.access))));
  }

  async setInfo(user: UserRow, ids: readonly string[], input: FileInfoChanges): Promise<IdResult<FileView>[]> {
    const viewer = this.d.access.viewer(user);
    const changes: FileChanges = {};
    if (input.name !== undefined) changes.name = cleanName(input.name, 'file');
    if (input.description !== undefined) changes.description = input.description;
    if (input.password !== undefined) {
      changes.password_sealed = input.password === '' ? null : this.d.secrets.encrypt(input.password);
      // A new password revokes the direct links handed out so far (they are signed with the salt).
      if (input.password !== '') changes.delete_salt = randomKey(16);
    }
    if (input.folderId !== undefined) changes.folder_id = await this.ownTargetFolder(viewer, input.folderId);
    if (input.timeLimit !== undefined) {
      const seconds = input.timeLimit ?? 0;
      changes.time_limit = seconds > 0 ? seconds : null;
      changes.limit_expires_at = seconds > 0 ? this.d.clock.now() + seconds : null;
    }
    if (input.downloadLimit !== undefined) changes.download_limit = input.downloadLimit ? input.downloadLimit : null;
    if (input.limitAction !== undefined) changes.limit_action = input.limitAction ?? 0;
    if (input.limitActionToFolder !== undefined)
      changes.limit_action_to_folder =
        input.limitActionToFolder.trim() === '' ? null : await this.ownTargetFolder(viewer, input.limitActionToFolder);
    // New limits start afresh: a file a former limit blocked becomes downloadable again.
    if (input.timeLimit !== undefined || input.downloadLimit !== undefined || input.limitAction !== undefined) changes.blocked = 0;
    const shareWithTeam = input.businessShared === 1;
    if (shareWithTeam && !this.d.access.canShareWithTeam(user))
      throw new ApiError(11, 'Permission denied: only business accounts share files with a team');
    if (input.businessShared !== undefined) changes.business_shared = shareWithTeam ? 1 : 0;
    // Files that leave the root stop being shared with the team: only top-level items are.
    if (changes.folder_id !== undefined && changes.folder_id !== '0') changes.business_shared = 0;

    const results = (await this.resolve(viewer, ids, 'write')).map((r) => {
      if (r.error) return r;
      const finalFolder = changes.folder_id ?? r.value.row.folder_id;
      if (shareWithTeam && finalFolder !== '0')
        return failed<{ row: FileRow; access: 'owner' }>(
          r.id,
          11,
          'Permission denied: only files in the root folder can be shared with the team',
        );
      return r;
    });
    await this.d.files.update(
      user.id,
      results.filter((r) => !r.error).map((r) => r.id),
      changes,
    );
    return this.reread(viewer, results);
  }

  async moveToFolder(user: UserRow, ids: readonly string[], folderId: string): Promise<IdResult<FileView>[]> {
    const viewer = this.d.access.viewer(user);
    const target = await this.ownTargetFolder(viewer, folderId);
    const results = await this.resolve(viewer, ids, 'write');
    const changes: FileChanges = target === '0' ? { folder_id: target } : { folder_id: target, business_shared: 0 };
    await this.d.files.update(
      user.id,
      results.filter((r) => !r.error).map((r) => r.id),
      changes,
    );
    return this.reread(viewer, results);
  }

  /** Deletes rows, blobs and released quota (see FileRemoval); answers the ids deleted. */
  async delete(user: UserRow, ids: readonly string[]): Promise<IdResult<string>[]> {
    const results = await this.resolve(this.d.access.viewer(user), ids, 'write');
    const removed = new Set(await this.d.fileRemoval.remove(results.flatMap((r) => (r.error ? [] : [r.value.row]))));
    return results.map((r) => (r.error ? { id: r.id, error: r.error } : removed.has(r.id) ? succeeded(r.id, r.id) : failed(r.id, 9)));
  }

  /**
   * Mails the links of the files the caller may see (a team mate's shared file too:
   * sending a link is reading). One message per recipient, so that recipients do not
   * learn each other's addresses; replies go to the sender. `directLink` is honoured
   * for paid accounts only, and never for a password-protected file.
   */
  async sendMail(
    user: UserRow,
    ids: readonly string[],
    input: { emails: readonly string[]; message?: string | undefined; directLink?: boolean },
  ): Promise<IdResult<string>[]> {
    const results = await this.resolve(this.d.access.viewer(user), ids, 'read');
    const rows = results.flatMap((r) => (r.error ? [] : [r.value.row]));
    if (rows.length === 0) return results.map((r) => ({ id: r.id, error: r.error as ApiError }));
    const direct = input.directLink === true && accountStatus(user, this.d.plans, this.d.clock.now()).subscribed;
    const files = rows.map((row) => ({
      name: row.name,
      size: row.size,
      url:
        direct && row.password_sealed === null ? this.d.links.direct(row.id, row.delete_salt, row.name) : this.d.links.downloadPage(row.id),
    }));
    await mailLinksToEach(this.d, user, input, { kind: 'files-shared', files });
    return results.map((r) => (r.error ? { id: r.id, error: r.error } : succeeded(r.id, r.id)));
  }
}
