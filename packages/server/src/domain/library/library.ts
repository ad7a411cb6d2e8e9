/** Wires the library's domain objects from their repositories (called by the composition root). */
import type { PlanLimits, PlanName } from '../../config.js';
import type { Secrets } from '../../lib/crypto.js';
import type { Mailer } from '../../mail/email.js';
import type { FilePagesRepository } from '../../metadata/repositories/file-pages.js';
import type { LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { LibraryFoldersRepository } from '../../metadata/repositories/library-folders.js';
import type { Clock } from '../clock.js';
import type { Contacts } from '../contacts.js';
import type { FileRemoval } from '../file-removal.js';
import type { Limits } from '../limits/limits.js';
import type { Links } from '../links.js';
import type { FailureLimiter } from '../rate-limiter.js';
import type { Teams } from '../teams.js';
import { LibraryAccess } from './access.js';
import { FileListing } from './file-listing.js';
import { FolderDeletion } from './folder-deletion.js';
import { LibraryFiles } from './files.js';
import { LibraryFolders } from './folders.js';
import { SharedFolders } from './shared-folders.js';
import { LibraryViews } from './views.js';

export interface LibraryDeps {
  files: LibraryFilesRepository;
  folders: LibraryFoldersRepository;
  /** Keyset pages of files, for the web file manager. */
  pages: FilePagesRepository;
  teams: Teams;
  fileRemoval: FileRemoval;
  mailer: Mailer;
  contacts: Contacts;
  links: Links;
  secrets: Secrets;
  clock: Clock;
  plans: Record<PlanName, PlanLimits>;
  /** Lifetime of the direct links an owner gets for a password-protected file. */
  protectedLinkTtlSeconds: number;
  /** Counts wrong folder passwords. */
  limiter: FailureLimiter;
  limits: Pick<Limits, 'enforceOnTouch'>;
}

export function createLibrary(d: LibraryDeps): {
  libraryFiles: LibraryFiles;
  libraryFolders: LibraryFolders;
  sharedFolders: SharedFolders;
  fileListing: FileListing;
} {
  const access = new LibraryAccess({ files: d.files, folders: d.folders, teams: d.teams, plans: d.plans, clock: d.clock });
  const views = new LibraryViews({
    links: d.links,
    secrets: d.secrets,
    clock: d.clock,
    protectedLinkTtlSeconds: d.protectedLinkTtlSeconds,
  });
  const deletion = new FolderDeletion({ folders: d.folders, files: d.files, fileRemoval: d.fileRemoval });
  const common = { access, views, files: d.files, mailer: d.mailer, contacts: d.contacts, secrets: d.secrets, clock: d.clock };
  return {
    libraryFiles: new LibraryFiles({ ...common, fileRemoval: d.fileRemoval, links: d.links, plans: d.plans, limits: d.limits }),
    libraryFolders: new LibraryFolders({ ...common, folders: d.folders, deletion }),
    fileListing: new FileListing({ access, views, pages: d.pages, folders: d.folders }),
    sharedFolders: new SharedFolders({ views, folders: d.folders, files: d.files, secrets: d.secrets, limiter: d.limiter, clock: d.clock }),
  };
}
