/**
 * The composition root: the only module that picks concrete adapters (SQLite or
 * PostgreSQL, outbox or SMTP) and wires them into the domain. `dispose()` closes
 * everything in reverse order.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { DiskBlobStore } from './blobs/disk-store.js';
import { Accounts } from './domain/accounts.js';
import { FileRemoval } from './domain/file-removal.js';
import { ApiKeys } from './domain/api-keys.js';
import { Auth } from './domain/auth.js';
import { Contacts } from './domain/contacts.js';
import { AnonymousMail } from './domain/downloads/anonymous-mail.js';
import { DeleteLinks } from './domain/downloads/delete-link.js';
import { Downloads } from './domain/downloads/downloads.js';
import { Limits } from './domain/limits/limits.js';
import { createLibrary } from './domain/library/library.js';
import { systemClock, type Clock } from './domain/clock.js';
import { FailureLimiter } from './domain/rate-limiter.js';
import { Links } from './domain/links.js';
import { Teams } from './domain/teams.js';
import { OrphanSweeper } from './domain/uploads/orphan-sweeper.js';
import { Uploads } from './domain/uploads/upload-service.js';
import { Secrets } from './lib/crypto.js';
import { loadOrCreateSecret } from './lib/secret-file.js';
import type { Mailer } from './mail/email.js';
import { OutboxMailer, SmtpMailer } from './mail/nodemailer-mailer.js';
import { AccountCache } from './metadata/account-cache.js';
import { migrateToLatest, openDatabase, type Db } from './metadata/db.js';
import { ApiKeysRepository } from './metadata/repositories/api-keys.js';
import { ContactsRepository } from './metadata/repositories/contacts.js';
import { DownloadsRepository } from './metadata/repositories/downloads.js';
import { FilesRepository } from './metadata/repositories/files.js';
import { FoldersRepository } from './metadata/repositories/folders.js';
import { LibraryFilesRepository } from './metadata/repositories/library-files.js';
import { LibraryFoldersRepository } from './metadata/repositories/library-folders.js';
import { QuotaRepository } from './metadata/repositories/quota.js';
import { RateLimitsRepository } from './metadata/repositories/rate-limits.js';
import { SessionsRepository } from './metadata/repositories/sessions.js';
import { TeamsRepository } from './metadata/repositories/teams.js';
import { TokensRepository } from './metadata/repositories/tokens.js';
import { UsersRepository } from './metadata/repositories/users.js';
import type { MaintenanceJob } from './maintenance.js';
import { MemoryProgress } from './progress/memory-progress.js';
import type { Services } from './services.js';

export interface AppContext extends Services {
  db: Db;
  mailer: Mailer;
  /** Usage counters; tests that store files directly charge them through this (it keeps the account cache right). */
  quota: QuotaRepository;
  /** Jobs the maintenance loop runs at start-up and then periodically. */
  sweepers: MaintenanceJob[];
  dispose(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const log = overrides.logger ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const secrets = new Secrets(loadOrCreateSecret(config.dataDir, config.secret));
  const { db } = await openDatabase(config.database);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const mailer: Mailer =
    overrides.mailer ??
    (config.mail.kind === 'smtp' ? new SmtpMailer(config.mail.url, config.mailFrom) : new OutboxMailer(config.mail.dir, config.mailFrom));

  const blobs = new DiskBlobStore(config.dataDir);
  const accountCache = new AccountCache();
  const quota = new QuotaRepository(db, accountCache);
  const users = new UsersRepository(db, accountCache);
  const sessions = new SessionsRepository(db, accountCache);
  const rateLimits = new RateLimitsRepository(db);
  const limiter = new FailureLimiter(rateLimits, config.loginFailuresPerWindow, config.loginWindowSeconds);
  const accounts = new Accounts({
    users,
    sessions,
    secrets,
    mailer,
    clock,
    publicUrl: config.publicUrl,
    registrationOpen: config.registration === 'open',
  });
  const auth = new Auth({
    users,
    sessions,
    tokens: new TokensRepository(db),
    secrets,
    clock,
    limiter,
    tokenTtlSeconds: config.tokenTtlSeconds,
    sessionIdleSeconds: config.sessionIdleSeconds,
    maxSessionsPerUser: config.maxSessionsPerUser,
  });

  // Downloads, limits and the public file pages.
  const links = new Links(config.publicUrl, secrets);
  const fileRemoval = new FileRemoval(db, quota, blobs, log);
  const files = new FilesRepository(db);
  const downloadsRepo = new DownloadsRepository(db);
  const limits = new Limits({ files, downloads: downloadsRepo, fileRemoval, clock, anonymousExpiryDays: config.anonymousExpiryDays, log });
  const downloads = new Downloads({
    files,
    users,
    downloads: downloadsRepo,
    quota,
    blobs,
    links,
    secrets,
    limits,
    limiter,
    clock,
    plans: config.plans,
    downloadLinkTtlSeconds: config.downloadLinkTtlSeconds,
  });

  // The library: files.*, folders.*, public folders, team sharing.
  const teams = new Teams(new TeamsRepository(db), users, clock);
  const contacts = new Contacts(new ContactsRepository(db), clock, users, config.plans);
  const library = createLibrary({
    files: new LibraryFilesRepository(db),
    folders: new LibraryFoldersRepository(db),
    teams,
    fileRemoval,
    mailer,
    contacts,
    links,
    secrets,
    clock,
    plans: config.plans,
    protectedLinkTtlSeconds: config.downloadLinkTtlSeconds,
    limiter,
    limits,
  });

  // Uploads: signed tickets, the streaming receiver, live progress, and the sweeper
  // for whatever an interrupted upload leaves behind.
  const uploads = new Uploads({
    config,
    db,
    files,
    folders: new FoldersRepository(db),
    users,
    quota,
    blobs,
    progress: new MemoryProgress(),
    mailer,
    contacts,
    links,
    secrets,
    clock,
    log: log.child({ component: 'uploads' }),
    inFlight: new Set(),
  });
  const orphanSweeper = new OrphanSweeper({
    blobs,
    files,
    clock,
    log,
    graceSeconds: config.orphanGraceSeconds,
    isInFlight: (key) => uploads.isInFlight(key),
  });

  return {
    config,
    clock,
    log,
    secrets,
    db,
    mailer,
    quota,
    accounts,
    auth,
    apiKeys: new ApiKeys(new ApiKeysRepository(db), clock),
    teams,
    links,
    blobs,
    fileRemoval,
    limits,
    downloads,
    deleteLinks: new DeleteLinks({ files, links, limits, fileRemoval }),
    anonymousMail: new AnonymousMail({ files, links, limits, mailer, rateLimits, clock, perHour: config.anonymousMailsPerHour }),
    contacts,
    ...library,
    uploads,
    sweepers: [
      { name: 'sweep orphan blobs and stale temporary files', run: () => orphanSweeper.run() },
      { name: 'fire due file limits', run: () => limits.sweepDueLimits() },
      { name: 'expire idle anonymous files', run: () => limits.sweepExpiredAnonymous() },
    ],
    async dispose() {
      await mailer.close?.();
      await db.destroy();
    },
  };
}
