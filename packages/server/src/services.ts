/**
 * Everything a request handler may use, built once by the composition root
 * (context.ts). Handlers and HTTP routes see these roles, never concrete adapters.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { BlobStore } from './blobs/blob-store.js';
import type { Accounts } from './domain/accounts.js';
import type { FileRemoval } from './domain/file-removal.js';
import type { ApiKeys } from './domain/api-keys.js';
import type { Auth } from './domain/auth.js';
import type { Contacts } from './domain/contacts.js';
import type { AnonymousMail } from './domain/downloads/anonymous-mail.js';
import type { DeleteLinks } from './domain/downloads/delete-link.js';
import type { Downloads } from './domain/downloads/downloads.js';
import type { Limits } from './domain/limits/limits.js';
import type { FileListing } from './domain/library/file-listing.js';
import type { LibraryFiles } from './domain/library/files.js';
import type { LibraryFolders } from './domain/library/folders.js';
import type { SharedFolders } from './domain/library/shared-folders.js';
import type { Clock } from './domain/clock.js';
import type { Links } from './domain/links.js';
import type { Teams } from './domain/teams.js';
import type { ResumableUploads } from './domain/uploads/resumable-uploads.js';
import type { Uploads } from './domain/uploads/upload-service.js';
import type { WebAccounts } from './domain/web-accounts.js';
import type { WebSessions } from './domain/web-sessions.js';
import type { Secrets } from './lib/crypto.js';
import type { MetricsExport, Telemetry } from './observability/telemetry.js';

/** One backend the server needs; `check` rejects when it does not answer. */
export interface HealthCheck {
  name: string;
  check(): Promise<unknown>;
}

export interface Services {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Metrics events (observability/telemetry.ts); never Prometheus itself. */
  telemetry: Telemetry;
  secrets: Secrets;
  accounts: Accounts;
  auth: Auth;
  apiKeys: ApiKeys;
  teams: Teams;
  links: Links;
  blobs: BlobStore;
  fileRemoval: FileRemoval;
  contacts: Contacts;
  /** Download limits, time limits and anonymous expiry; `enforceOnTouch` before showing a file. */
  limits: Limits;
  downloads: Downloads;
  deleteLinks: DeleteLinks;
  anonymousMail: AnonymousMail;
  /** files.*: the caller's stored files. */
  libraryFiles: LibraryFiles;
  /** folders.* except getShared: the caller's folder tree. */
  libraryFolders: LibraryFolders;
  /** The web file manager's pages of files and name searches. */
  fileListing: FileListing;
  /** Public folders: folders.getShared, the folder page and its RSS feed. */
  sharedFolders: SharedFolders;
  /** upload.getInfo, the upload POST/PUT and the progress URL. */
  uploads: Uploads;
  /** What /readyz and `sendbay doctor` ask: the database, the blob store, and any other backend. */
  health: HealthCheck[];
  /** The text behind /metrics; undefined when SENDBAY_METRICS=off. */
  metrics: MetricsExport | undefined;
  /** Browser logins (the `ssal` cookie); never accepted by /rest/. */
  webSessions: WebSessions;
  /** Resumable (tus) uploads at /tus/. */
  resumable: ResumableUploads;
  /** Registration, forgotten and changed passwords, a changed e-mail: the account pages. */
  webAccounts: WebAccounts;
}
