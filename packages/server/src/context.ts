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
import { systemClock, type Clock } from './domain/clock.js';
import { FailureLimiter } from './domain/rate-limiter.js';
import { Links } from './domain/links.js';
import { Teams } from './domain/teams.js';
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
import { QuotaRepository } from './metadata/repositories/quota.js';
import { RateLimitsRepository } from './metadata/repositories/rate-limits.js';
import { SessionsRepository } from './metadata/repositories/sessions.js';
import { TeamsRepository } from './metadata/repositories/teams.js';
import { TokensRepository } from './metadata/repositories/tokens.js';
import { UsersRepository } from './metadata/repositories/users.js';
import type { MaintenanceJob } from './maintenance.js';
import type { Services } from './services.js';

export interface AppContext extends Services {
  db: Db;
  mailer: Mailer;
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
  const { db } = openDatabase(config.database);
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
  const limiter = new FailureLimiter(new RateLimitsRepository(db), config.loginFailuresPerWindow, config.loginWindowSeconds);
  const accounts = new Accounts({ users, sessions, secrets, mailer, clock, publicUrl: config.publicUrl, registrationOpen: config.registration === 'open' });
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
    clock,
    plans: config.plans,
    downloadLinkTtlSeconds: config.downloadLinkTtlSeconds,
  });

  return {
    config,
    clock,
    log,
    secrets,
    db,
    mailer,
    accounts,
    auth,
    apiKeys: new ApiKeys(new ApiKeysRepository(db), clock),
    teams: new Teams(new TeamsRepository(db), users, clock),
    links,
    blobs,
    fileRemoval,
    limits,
    downloads,
    deleteLinks: new DeleteLinks({ files, links, limits, fileRemoval }),
    anonymousMail: new AnonymousMail({ files, links, limits, mailer }),
    contacts: new Contacts(new ContactsRepository(db), clock, users, config.plans),
    sweepers: [
      { name: 'fire due file limits', run: () => limits.sweepDueLimits() },
      { name: 'expire idle anonymous files', run: () => limits.sweepExpiredAnonymous() },
    ],
    async dispose() {
      await mailer.close?.();
      await db.destroy();
    },
  };
}
