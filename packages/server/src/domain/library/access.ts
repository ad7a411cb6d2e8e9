/**
 * Who may see and change what in the library. A user owns their files and folders and
 * may do anything with them. The members of a business team also see, read-only, the
 * top-level folders and root files a team mate marked `business_shared`, and everything
 * inside such a folder. Nothing else another user stores is visible here (public
 * folders are seen through folders.getShared and their pages): unknown and foreign ids
 * look exactly the same to the caller.
 */
import { FILE_ID_RE } from '@sendbay/protocol';
import type { PlanLimits, PlanName } from '../../config.js';
import type { FileRow, LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { FolderRow, LibraryFoldersRepository, TopLevel } from '../../metadata/repositories/library-folders.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import { accountStatus } from '../account-status.js';
import type { Clock } from '../clock.js';
import type { Teams } from '../teams.js';

/** `owner`: full rights; `team`: a team mate's shared item, read-only. */
export type Access = 'owner' | 'team';

export interface Granted<R> {
  row: R;
  access: Access;
}

/** The caller of a library method; their team is looked up once, and only if needed. */
export class Viewer {
  private mates: Promise<ReadonlySet<string>> | undefined;

  constructor(
    readonly user: UserRow,
    private readonly teams: Teams,
  ) {}

  /** Ids of the user's team mates, the user excluded; empty without a team. */
  teamMates(): Promise<ReadonlySet<string>> {
    this.mates ??= this.teams.teamMates(this.user.id).then((ids) => new Set(ids.filter((id) => id !== this.user.id)));
    return this.mates;
  }
}

export interface LibraryAccessDeps {
  files: LibraryFilesRepository;
  folders: LibraryFoldersRepository;
  teams: Teams;
  plans: Record<PlanName, PlanLimits>;
  clock: Clock;
}

function sharedTop(top: TopLevel | undefined, ownerId: string): boolean {
  return top !== undefined && top.business_shared === 1 && top.owner_id === ownerId;
}

export class LibraryAccess {
  constructor(private readonly d: LibraryAccessDeps) {}

  viewer(user: UserRow): Viewer {
    return new Viewer(user, this.d.teams);
  }

  /** Only business plan accounts (not expired) may share with their team. */
  canShareWithTeam(user: UserRow): boolean {
    const status = accountStatus(user, this.d.plans, this.d.clock.now());
    return status.plan === 'business' && !status.expired;
  }

  /** The files among `ids` the viewer may see, by id: a few queries whatever the list's length. */
  async files(viewer: Viewer, ids: readonly string[]): Promise<Map<string, Granted<FileRow>>> {
    const out = new Map<string, Granted<FileRow>>();
    const wanted = ids.filter((id) => FILE_ID_RE.test(id));
    if (wanted.length === 0) return out;
    const foreign: FileRow[] = [];
    for (const row of await this.d.files.findByIds(wanted)) {
      if (row.owner_id === viewer.user.id) out.set(row.id, { row, access: 'owner' });
      else foreign.push(row);
    }
    if (foreign.length === 0) return out;
    const mates = await viewer.teamMates();
    const candidates = foreign.filter((r) => r.owner_id !== null && mates.has(r.owner_id));
    const tops = await this.d.folders.topLevelOf([...new Set(candidates.filter((r) => r.folder_id !== '0').map((r) => r.folder_id))]);
    for (const row of candidates) {
      const visible = row.folder_id === '0' ? row.business_shared === 1 : sharedTop(tops.get(row.folder_id), row.owner_id as string);
      if (visible) out.set(row.id, { row, access: 'team' });
    }
    return out;
  }

  /** The folders among `ids` the viewer may see, by id ('0', the virtual root, is never among them). */
  async folders(viewer: Viewer, ids: readonly string[]): Promise<Map<string, Granted<FolderRow>>> {
    const out = new Map<string, Granted<FolderRow>>();
    const wanted = ids.filter((id) => FILE_ID_RE.test(id));
    if (wanted.length === 0) return out;
    const foreign: FolderRow[] = [];
    for (const row of await this.d.folders.findByIds(wanted)) {
      if (row.owner_id === viewer.user.id) out.set(row.id, { row, access: 'owner' });
      else foreign.push(row);
    }
    if (foreign.length === 0) return out;
    const mates = await viewer.teamMates();
    const candidates = foreign.filter((r) => mates.has(r.owner_id));
    const tops = await this.d.folders.topLevelOf(candidates.filter((r) => r.parent_id !== '0').map((r) => r.id));
    for (const row of candidates) {
      const visible = row.parent_id === '0' ? row.business_shared === 1 : sharedTop(tops.get(row.id), row.owner_id);
      if (visible) out.set(row.id, { row, access: 'team' });
    }
    return out;
  }

  async folder(viewer: Viewer, id: string): Promise<Granted<FolderRow> | undefined> {
    return (await this.folders(viewer, [id])).get(id);
  }
}
