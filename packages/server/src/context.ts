/**
 * The composition root: the only module that picks concrete adapters (SQLite or
 * PostgreSQL, outbox or SMTP, disk or S3, memory or Redis) and wires them into the
 * domain. Every adapter that holds a resource registers its close here, and
 * `dispose()` closes them all in reverse order of opening.
 */
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { BlobStore } from './blobs/blob-store.js';
import { DiskBlobStore } from './blobs/disk-store.js';
import { AccountDeletion } from './domain/account-deletion.js';
import { attachmentDisposition } from './lib/content-disposition.js';
import { Accounts } from './domain/accounts.js';
import { Fsck } from './domain/integrity/fsck.js';
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
import { ResumableUploads } from './domain/uploads/resumable-uploads.js';
import { Uploads } from './domain/uploads/upload-service.js';
import { WebAccounts } from './domain/web-accounts.js';
import { WebSessions } from './domain/web-sessions.js';
import { Secrets } from './lib/crypto.js';
import { loadOrCreateSecret } from './lib/secret-file.js';
import type { Mailer } from './mail/email.js';
import { OutboxMailer, SmtpMailer } from './mail/nodemailer-mailer.js';
import { AccountCache } from './metadata/account-cache.js';
import { migrateToLatest, openDatabase, type Db } from './metadata/db.js';
import { ApiKeysRepository } from './metadata/repositories/api-keys.js';
import { ContactsRepository } from './metadata/repositories/contacts.js';
import { DownloadsRepository } from './metadata/repositories/downloads.js';
import { FilePagesRepository } from './metadata/repositories/file-pages.js';
import { FilesRepository } from './metadata/repositories/files.js';
import { UploadCommitsRepository } from './metadata/repositories/upload-commits.js';
import { FoldersRepository } from './metadata/repositories/folders.js';
import { LibraryFilesRepository } from './metadata/repositories/library-files.js';
import { LibraryFoldersRepository } from './metadata/repositories/library-folders.js';
import { QuotaRepository } from './metadata/repositories/quota.js';
import { RateLimitsRepository } from './metadata/repositories/rate-limits.js';
import { SessionsRepository } from './metadata/repositories/sessions.js';
import { TeamsRepository } from './metadata/repositories/teams.js';
import { TokensRepository } from './metadata/repositories/tokens.js';
import { TusUploadsRepository } from './metadata/repositories/tus-uploads.js';
import { UsersRepository } from './metadata/repositories/users.js';
import { PrometheusTelemetry } from './observability/metrics.js';
import { observedBlobStore } from './observability/observed-blobs.js';
import { observedMailer } from './observability/observed-mailer.js';
import { noTelemetry, type Telemetry } from './observability/telemetry.js';
import { WebSessionsRepository } from './metadata/repositories/web-sessions.js';
import { runUnderLease } from './coordination/lease.js';
import type { Coordination } from './coordination/coordination.js';
import type { Locks } from './coordination/locks.js';
import { MemoryInvalidation } from './coordination/memory-invalidation.js';
import { MemoryLockBackend } from './coordination/memory-locks.js';
import { RenewingLocks } from './coordination/renewing-locks.js';
import { MemoryProgress } from './progress/memory-progress.js';
import type { JobGuard, ScheduledJob } from './scheduler.js';
import type { HealthCheck, Services } from './services.js';
import { DiskResumableStore } from './tus/disk-resumable-store.js';
import type { ResumableStore } from './tus/resumable-store.js';
import { RowLeaseLocks } from './tus/row-lease-locks.js';
import { SharedUploadLocks } from './tus/shared-upload-locks.js';

export interface AppContext extends Services {
  db: Db;
  mailer: Mailer;
  /** Usage counters; tests that store files directly charge them through this (it keeps the account cache right). */
  quota: QuotaRepository;
  /** Jobs the scheduler runs at start-up and then periodically. */
  jobs: ScheduledJob[];
  /** Whether this process runs a job this time: the one holding the job's lease. */
  jobGuard: JobGuard;
  /** `sendbay user delete`: an account with its files, bytes and quota. */
  accountDeletion: AccountDeletion;
  /** `sendbay fsck`: rows against blobs, strays, usage. */
  fsck: Fsck;
  /** Locks shared by every node (per-upload locks, leases); in memory with one node. */
  locks: Locks;
  dispose(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
  /** The admin CLI serves no traffic and reports nothing. */
  telemetry?: 'none';
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  // Buffered and written off the request path: a log line per request must not cost a
  // write(2) each. What is buffered goes out within a second (without the timer a quiet
  // server held its last lines until 4 KiB had gathered) and on exit. If stdout stops
  // being read, lines beyond 8 MiB are dropped rather than held in memory.
  const log =
    overrides.logger ??
    pino(
      { level: config.logLevel },
      pino.destination({ dest: 1, sync: false, minLength: 4096, maxLength: 8 * 1024 * 1024, periodicFlush: 1000 }),
    );
  // Closes what was opened so far, newest first; each close is tried even if one fails.
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => log.error({ err }, 'closing failed'));
    log.flush();
  };
  try {
    return await compose(config, overrides, log, closers, closeAll);
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function compose(
  config: Config,
  overrides: ContextOverrides,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  closeAll: () => Promise<void>,
): Promise<AppContext> {
  const clock = overrides.clock ?? systemClock;
  const secrets = new Secrets(loadOrCreateSecret(config.dataDir, config.secret));
  const { db } = await openDatabase(config.database, (err) =>
    log.warn({ err, component: 'database' }, 'an idle database connection was closed by the server; the pool opens a new one'),
  );
  closers.push(() => db.destroy());
  await migrateToLatest(db);

  const accountCache = new AccountCache();
  const sessions = new SessionsRepository(db, accountCache);
  const metrics =
    overrides.telemetry === 'none' || config.metrics === 'off'
      ? undefined
      : new PrometheusTelemetry({ activeSessions: () => sessions.countAllLive(clock.now()) });
  const telemetry: Telemetry = metrics ?? noTelemetry;

  // Mail and blob-store failures are logged and counted in one place, whatever the backend.
  const mailer = observedMailer(
    overrides.mailer ??
      (config.mail.kind === 'smtp' ? new SmtpMailer(config.mail.url, config.mailFrom) : new OutboxMailer(config.mail.dir, config.mailFrom)),
    telemetry,
    log.child({ component: 'mail' }),
  );
  closers.push(async () => mailer.close?.());

  const store = await createBlobStore(config);
  const blobs = observedBlobStore(store, telemetry, log.child({ component: 'blobs' }));
  if (blobs.close) closers.push(() => blobs.close!());
  const health: HealthCheck[] = [
    { name: 'database', check: () => sql`select 1`.execute(db) },
    { name: 'blobs', check: () => blobs.check() },
  ];
  const { progress, rateLimits, locks, invalidation } = await createCoordination(config, db, log, closers, health);
  const stopListening = accountCache.attach(invalidation, (err) =>
    log.warn({ err }, 'could not tell the other nodes about a session change; they see it within 250 ms'),
  );
  closers.push(async () => stopListening());
  const quota = new QuotaRepository(db, accountCache);
  const users = new UsersRepository(db, accountCache);
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

  const webSessions = new WebSessions({
    users,
    sessions: new WebSessionsRepository(db),
    limiter,
    clock,
    idleSeconds: config.sessionIdleSeconds,
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
    ...(config.blobs.kind === 's3' && config.blobs.presignedDownloads && store.presignedUrl
      ? {
          presign: (file) =>
            store.presignedUrl!(file.blob_key, {
              contentDisposition: attachmentDisposition(file.name),
              expiresInSeconds: PRESIGNED_URL_TTL_SECONDS,
            }),
        }
      : {}),
  });

  // The library: files.*, folders.*, public folders, team sharing.
  const teams = new Teams(new TeamsRepository(db), users, clock);
  const contacts = new Contacts(new ContactsRepository(db), clock, users, config.plans);
  const library = createLibrary({
    files: new LibraryFilesRepository(db),
    folders: new LibraryFoldersRepository(db),
    pages: new FilePagesRepository(db),
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
  const uploadsDeps = {
    config,
    files,
    folders: new FoldersRepository(db),
    users,
    commits: new UploadCommitsRepository(db, quota),
    blobs,
    progress,
    mailer,
    contacts,
    links,
    secrets,
    clock,
    log: log.child({ component: 'uploads' }),
    inFlight: new Set<string>(),
  };
  const uploads = new Uploads(uploadsDeps);
  // Resumable (tus) uploads: state in the metadata database, bytes on disk or in S3
  // parts, and one writer per upload through Redis when nodes share it (else a lease on
  // the upload's row), so any node can continue an upload.
  const tusUploads = new TusUploadsRepository(db);
  const resumable = new ResumableUploads({
    ...uploadsDeps,
    log: log.child({ component: 'tus' }),
    tusUploads,
    store: await createResumableStore(config, blobs, closers),
    locks: config.coordination.kind === 'redis' ? new SharedUploadLocks(locks) : new RowLeaseLocks(tusUploads),
  });
  // The blob sweeper spares the multipart uploads of unfinished tus uploads (read afresh before each sweep).
  let tusBlobKeys = new Set<string>();
  const orphanSweeper = new OrphanSweeper({
    blobs,
    files,
    clock,
    log,
    graceSeconds: config.orphanGraceSeconds,
    isInFlight: (key) => uploads.isInFlight(key) || tusBlobKeys.has(key),
  });

  return {
    config,
    clock,
    log,
    telemetry,
    metrics,
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
    resumable,
    health,
    webSessions,
    webAccounts: new WebAccounts({
      accounts,
      users,
      webSessions,
      secrets,
      mailer,
      clock,
      limiter,
      publicUrl: config.publicUrl,
      registrationOpen: config.registration === 'open',
    }),
    jobs: [
      { name: 'purge expired web sessions', run: () => webSessions.purgeExpired() },
      { name: 'purge expired tokens and sessions', run: () => auth.purgeExpired() },
      // On every node: besides the shared state, each node's folder may hold copies of S3 tails.
      { name: 'remove expired resumable uploads', run: () => resumable.sweep(), everyNode: true },
      {
        name: 'sweep orphan blobs and stale temporary files',
        run: async () => {
          tusBlobKeys = await tusUploads.unfinishedBlobKeys();
          return orphanSweeper.run();
        },
      },
      { name: 'fire due file limits', run: () => limits.sweepDueLimits() },
      { name: 'expire idle anonymous files', run: () => limits.sweepExpiredAnonymous() },
    ].map((job) => ({ ...job, intervalSeconds: config.sweepIntervalSeconds })),
    accountDeletion: new AccountDeletion({ files, users, fileRemoval }),
    fsck: new Fsck({ files, quota, blobs, clock, graceSeconds: config.orphanGraceSeconds }),
    // A lease per job: with several nodes each job runs on one of them at a time. The
    // lock renews itself while the job runs, and expires a minute after a node dies.
    jobGuard: async (job, run) => {
      if (job.everyNode) return run();
      await runUnderLease(locks, `job:${job.name}`, 60_000, run);
    },
    locks,
    dispose: closeAll,
  };
}

/** Long enough to start the download (and resume it soon after); the direct link is the lasting one. */
const PRESIGNED_URL_TTL_SECONDS = 600;

/**
 * Disk or S3, as configured. The S3 modules (and the AWS SDK under them, ~10 MB resident)
 * are loaded only when S3 is chosen; scripts/build.mjs puts them in a chunk of their own.
 */
async function createBlobStore(config: Config): Promise<BlobStore> {
  switch (config.blobs.kind) {
    case 'disk':
      return new DiskBlobStore(config.blobs.dir);
    case 's3': {
      const [{ createS3Client }, { S3BlobStore }] = await Promise.all([import('./blobs/s3-client.js'), import('./blobs/s3-store.js')]);
      // Parts are spooled in the data folder, beside the unfinished tus uploads' tails.
      const store = new S3BlobStore(createS3Client(config.blobs), { ...config.blobs, spoolDir: join(config.dataDir, 'spool') });
      await store.prepare();
      return store;
    }
  }
}

/**
 * Where unfinished tus uploads keep their bytes: beside the blobs, on disk or in S3 parts
 * (the S3 modules loaded only then, as in createBlobStore).
 */
async function createResumableStore(config: Config, blobs: BlobStore, closers: (() => Promise<unknown>)[]): Promise<ResumableStore> {
  switch (config.blobs.kind) {
    case 'disk':
      return new DiskResumableStore(config.dataDir, blobs);
    case 's3': {
      const [{ createS3Client }, { S3_BLOB_PREFIX }, { S3ResumableStore }] = await Promise.all([
        import('./blobs/s3-client.js'),
        import('./blobs/s3-store.js'),
        import('./tus/s3-resumable-store.js'),
      ]);
      const client = createS3Client(config.blobs);
      closers.push(async () => client.destroy());
      return new S3ResumableStore(client, { ...config.blobs, blobPrefix: S3_BLOB_PREFIX, dir: join(config.dataDir, 'tus') });
    }
  }
}

/**
 * What the nodes share besides the database and the blobs: in this process (one node),
 * or through Redis. Rate limits stay in the database without Redis (they survive a
 * restart), and fall back to it while Redis is unreachable.
 */
async function createCoordination(
  config: Config,
  db: Db,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  health: HealthCheck[],
): Promise<Coordination> {
  const sqlRateLimits = new RateLimitsRepository(db);
  switch (config.coordination.kind) {
    case 'memory':
      return {
        progress: new MemoryProgress(),
        rateLimits: sqlRateLimits,
        locks: new RenewingLocks(new MemoryLockBackend()),
        invalidation: new MemoryInvalidation(),
      };
    case 'redis': {
      const { createRedisCoordination } = await import('./redis/redis-coordination.js');
      return createRedisCoordination(config.coordination, sqlRateLimits, log, closers, health);
    }
  }
}
