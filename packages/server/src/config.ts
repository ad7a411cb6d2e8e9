/**
 * Configuration is read from the environment once, validated as a whole, and handed
 * around as one typed object. Nothing else in the server reads `process.env`.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseSize } from './lib/sizes.js';

export const PLAN_NAMES = ['lite', 'pro', 'max', 'business'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface PlanLimits {
  /** Bytes per file; -1 unlimited. */
  maxFileSize: number;
  /** Bytes of storage; -1 unlimited. */
  diskSpace: number;
  /** Bytes downloaded per calendar month; -1 unlimited. */
  monthlyBandwidth: number;
  /** Address-book entries; -1 unlimited. */
  contacts: number;
  capableUpload: boolean;
  capableDownload: boolean;
  capableFolders: boolean;
  capableFiles: boolean;
}

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
export type MailConfig = { kind: 'outbox'; dir: string } | { kind: 'smtp'; url: string };
/** Who may read `/metrics`: `local` = direct connections from this machine, not through a proxy. */
export type MetricsAccess = 'local' | 'public' | 'off';

/** Where file bytes live: files under `dir` (blobs/ and tmp/), or an S3 bucket. */
export type BlobsConfig = { kind: 'disk'; dir: string } | S3BlobsConfig;

export interface S3BlobsConfig {
  kind: 's3';
  /** Undefined: AWS itself, found from the region. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Both undefined: the SDK's own credential chain (instance role, ~/.aws). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key` (most self-hosted engines). */
  forcePathStyle: boolean;
  /** Bytes per multipart part; each part in flight is held in memory once. */
  partSize: number;
  /** Parts of one upload sent at once. */
  queueSize: number;
  /** Downloads answer a redirect to a short-lived signed URL instead of passing the bytes through. */
  presignedDownloads: boolean;
  /** A request the engine answers nothing to for this long fails. */
  requestTimeoutSeconds: number;
}

/**
 * What several nodes must share (upload progress, rate limits, session-cache
 * invalidation, maintenance leases): nothing with one process, or a Redis server.
 */
export type CoordinationConfig =
  | { kind: 'memory' }
  /** `prefix` starts every key and channel, so deployments sharing one Redis stay apart. */
  | { kind: 'redis'; url: string; prefix: string };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Base of every URL handed out, without a trailing slash. */
  publicUrl: string;
  database: DatabaseConfig;
  mail: MailConfig;
  blobs: BlobsConfig;
  coordination: CoordinationConfig;
  mailFrom: string;
  /** Undefined: generated once and kept in `<dataDir>/secret`. */
  secret: string | undefined;
  apiKeys: 'open' | 'registered';
  /** `closed`: auth.register answers 11; accounts are made with `sendbay user add`. */
  registration: 'open' | 'closed';
  minAppVersion: string | undefined;
  tokenTtlSeconds: number;
  sessionIdleSeconds: number;
  maxSessionsPerUser: number;
  loginFailuresPerWindow: number;
  loginWindowSeconds: number;
  anonymousMaxFileSize: number;
  anonymousExpiryDays: number;
  /** anonymous.filesSendMail calls per client address per hour. */
  anonymousMailsPerHour: number;
  uploadInfoTtlSeconds: number;
  /** A resumable (tus) upload nobody writes to for this long expires (and, once finished, is forgotten). */
  tusExpirySeconds: number;
  downloadLinkTtlSeconds: number;
  maxFilesPerUpload: number;
  /** An upload whose client sends nothing for this long is dropped. */
  uploadIdleTimeoutSeconds: number;
  /** A download whose reader takes no byte for this long is cut (the file is closed). */
  downloadIdleTimeoutSeconds: number;
  /** Downloads of disk blobs go socket-ward with sendfile(2) when the addon is built. */
  sendfile: boolean;
  /** Unreferenced blobs and temporary files younger than this are not swept (uploads in flight). */
  orphanGraceSeconds: number;
  sweepIntervalSeconds: number;
  logLevel: string;
  /** One JSON line per request (SENDBAY_ACCESS_LOG=off turns it off). */
  accessLog: boolean;
  metrics: MetricsAccess;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDRs, or loopback /
   * linklocal / uniquelocal). Empty: the header is ignored and the socket's peer is the client.
   */
  trustProxy: string[];
  plans: Record<PlanName, PlanLimits>;
  /** Not errors, but worth a line at start-up: unknown SENDBAY_* names (typos, most likely). */
  warnings: string[];
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** Defaults modelled on the public service: lite is the free plan, pro the common paid one. */
export const DEFAULT_PLANS: Record<PlanName, PlanLimits> = {
  lite: {
    maxFileSize: 300 * MB,
    diskSpace: 10 * GB,
    monthlyBandwidth: -1,
    contacts: 100,
    capableUpload: true,
    capableDownload: true,
    capableFolders: true,
    capableFiles: true,
  },
  pro: {
    maxFileSize: 10 * GB,
    diskSpace: 500 * GB,
    monthlyBandwidth: -1,
    contacts: 1000,
    capableUpload: true,
    capableDownload: true,
    capableFolders: true,
    capableFiles: true,
  },
  max: {
    maxFileSize: 20 * GB,
    diskSpace: 2048 * GB,
    monthlyBandwidth: -1,
    contacts: 5000,
    capableUpload: true,
    capableDownload: true,
    capableFolders: true,
    capableFiles: true,
  },
  business: {
    maxFileSize: 20 * GB,
    diskSpace: 5120 * GB,
    monthlyBandwidth: -1,
    contacts: 10000,
    capableUpload: true,
    capableDownload: true,
    capableFolders: true,
    capableFiles: true,
  },
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses and validates; throws one ConfigError naming every problem. */
export function parseConfig(env: Env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = new Set<string>();
  const get = (name: string): string | undefined => {
    read.add(name);
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
      return def;
    }
    return n;
  };
  const size = (name: string, def: number): number => {
    const v = get(name);
    if (v === undefined) return def;
    const n = parseSize(v);
    if (n === undefined) {
      problems.push(`${name} must be a size such as 300MB, 10GB or -1 for unlimited (got "${v}")`);
      return def;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], def: T): T => {
    const v = get(name);
    if (v === undefined) return def;
    if (!values.includes(v as T)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${v}")`);
      return def;
    }
    return v as T;
  };

  const port = int('PORT', 8080, 0, 65535);
  const host = get('HOST') ?? '0.0.0.0';
  const dataDir = resolve(cwd, get('SENDBAY_DATA_DIR') ?? 'data');

  let publicUrl = get('SENDBAY_PUBLIC_URL') ?? `http://localhost:${port}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    // A bare `?` or `#` leaves search/hash empty but would still end up in every link.
    if (u.search || u.hash || /[?#]/.test(publicUrl)) throw new Error('query');
    publicUrl = u.href.replace(/\/+$/, '');
  } catch {
    problems.push(`SENDBAY_PUBLIC_URL must be an absolute http(s) URL without query (got "${publicUrl}")`);
  }

  let database: DatabaseConfig = { kind: 'sqlite', file: resolve(dataDir, 'sendbay.sqlite') };
  const dbUrl = get('SENDBAY_DATABASE_URL');
  if (dbUrl !== undefined) {
    if (/^postgres(ql)?:\/\//.test(dbUrl)) database = { kind: 'postgres', url: dbUrl };
    else if (dbUrl.startsWith('sqlite:') && dbUrl.length > 7) database = { kind: 'sqlite', file: resolve(cwd, dbUrl.slice(7)) };
    else problems.push(`SENDBAY_DATABASE_URL must be postgres://… or sqlite:<file> (got "${dbUrl}")`);
  }

  let mail: MailConfig = { kind: 'outbox', dir: resolve(dataDir, 'outbox') };
  const smtp = get('SENDBAY_SMTP_URL');
  if (smtp !== undefined) {
    if (/^smtps?:\/\//.test(smtp)) mail = { kind: 'smtp', url: smtp };
    else problems.push(`SENDBAY_SMTP_URL must start with smtp:// or smtps:// (got "${smtp}")`);
  }

  const flag = (name: string, def: boolean): boolean => {
    const v = get(name)?.toLowerCase();
    if (v === undefined) return def;
    if (['1', 'true', 'on', 'yes'].includes(v)) return true;
    if (['0', 'false', 'off', 'no'].includes(v)) return false;
    problems.push(`${name} must be true or false (got "${v}")`);
    return def;
  };

  let blobs: BlobsConfig = { kind: 'disk', dir: dataDir };
  if (oneOf('SENDBAY_BLOB_STORE', ['disk', 's3'] as const, 'disk') === 's3') {
    const endpoint = get('SENDBAY_S3_ENDPOINT');
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
      problems.push(`SENDBAY_S3_ENDPOINT must be an http(s) URL (got "${endpoint}")`);
    const bucket = get('SENDBAY_S3_BUCKET');
    if (bucket === undefined) problems.push('SENDBAY_S3_BUCKET is required when SENDBAY_BLOB_STORE=s3');
    else if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      problems.push(`SENDBAY_S3_BUCKET must be a valid bucket name: 3-63 lower-case letters, digits, dots and dashes (got "${bucket}")`);
    const accessKeyId = get('SENDBAY_S3_ACCESS_KEY_ID');
    const secretAccessKey = get('SENDBAY_S3_SECRET_ACCESS_KEY');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
      problems.push('SENDBAY_S3_ACCESS_KEY_ID and SENDBAY_S3_SECRET_ACCESS_KEY must be set together');
    const partSize = size('SENDBAY_S3_PART_SIZE', 5 * MB);
    // S3 refuses parts under 5 MiB (except the last) and over 5 GiB.
    if (partSize < 5 * MB || partSize > 5 * GB) problems.push('SENDBAY_S3_PART_SIZE must be from 5MB to 5GB');
    blobs = {
      kind: 's3',
      endpoint,
      bucket: bucket ?? '',
      region: get('SENDBAY_S3_REGION') ?? 'us-east-1',
      accessKeyId,
      secretAccessKey,
      forcePathStyle: flag('SENDBAY_S3_FORCE_PATH_STYLE', endpoint !== undefined),
      partSize,
      queueSize: int('SENDBAY_S3_PARTS_IN_FLIGHT', 1, 1, 16),
      presignedDownloads: flag('SENDBAY_S3_PRESIGNED_DOWNLOADS', false),
      requestTimeoutSeconds: int('SENDBAY_S3_REQUEST_TIMEOUT', 60, 1, 3_600),
    };
  }

  let coordination: CoordinationConfig = { kind: 'memory' };
  const redisUrl = get('SENDBAY_REDIS_URL');
  if (redisUrl !== undefined) {
    const prefix = get('SENDBAY_REDIS_PREFIX') ?? 'sendbay:';
    if (/^rediss?:\/\/./.test(redisUrl)) coordination = { kind: 'redis', url: redisUrl, prefix };
    else problems.push(`SENDBAY_REDIS_URL must start with redis:// or rediss:// (got "${redisUrl}")`);
  }

  const secret = get('SENDBAY_SECRET');
  if (secret !== undefined && secret.length < 16) problems.push('SENDBAY_SECRET must be at least 16 characters');

  const trustProxy = parseTrustProxy(get('SENDBAY_TRUST_PROXY'), problems);

  const plans = structuredClone(DEFAULT_PLANS);
  for (const plan of PLAN_NAMES) {
    const up = plan.toUpperCase();
    const limits = plans[plan];
    limits.maxFileSize = size(`SENDBAY_PLAN_${up}_MAX_FILE_SIZE`, limits.maxFileSize);
    limits.diskSpace = size(`SENDBAY_PLAN_${up}_DISK_SPACE`, limits.diskSpace);
    limits.monthlyBandwidth = size(`SENDBAY_PLAN_${up}_BANDWIDTH`, limits.monthlyBandwidth);
    limits.contacts = int(`SENDBAY_PLAN_${up}_CONTACTS`, limits.contacts, -1, 1_000_000);
    const caps = get(`SENDBAY_PLAN_${up}_CAPABILITIES`);
    if (caps !== undefined) {
      const list = caps.split(',').map((c) => c.trim());
      const known = ['upload', 'download', 'folders', 'files'];
      const unknown = list.filter((c) => c !== '' && !known.includes(c));
      if (unknown.length > 0) problems.push(`SENDBAY_PLAN_${up}_CAPABILITIES lists unknown capabilities: ${unknown.join(', ')}`);
      limits.capableUpload = list.includes('upload');
      limits.capableDownload = list.includes('download');
      limits.capableFolders = list.includes('folders');
      limits.capableFiles = list.includes('files');
    }
  }

  const config: Config = {
    host,
    port,
    dataDir,
    publicUrl,
    database,
    mail,
    blobs,
    coordination,
    mailFrom: get('SENDBAY_MAIL_FROM') ?? `Sendbay <no-reply@${safeHost(publicUrl)}>`,
    secret,
    apiKeys: oneOf('SENDBAY_API_KEYS', ['open', 'registered'] as const, 'open'),
    registration: oneOf('SENDBAY_REGISTRATION', ['open', 'closed'] as const, 'open'),
    minAppVersion: get('SENDBAY_MIN_APP_VERSION'),
    tokenTtlSeconds: int('SENDBAY_TOKEN_TTL', 600, 10, 86_400),
    sessionIdleSeconds: int('SENDBAY_SESSION_IDLE', 86_400, 60, 365 * 86_400),
    maxSessionsPerUser: int('SENDBAY_MAX_SESSIONS', 50, 1, 100_000),
    loginFailuresPerWindow: int('SENDBAY_LOGIN_MAX_FAILURES', 10, 1, 1_000_000),
    loginWindowSeconds: int('SENDBAY_LOGIN_WINDOW', 900, 1, 86_400),
    anonymousMaxFileSize: size('SENDBAY_ANON_MAX_FILE_SIZE', 300 * MB),
    anonymousExpiryDays: int('SENDBAY_ANON_EXPIRY_DAYS', 30, 0, 36_500),
    anonymousMailsPerHour: int('SENDBAY_ANON_MAILS_PER_HOUR', 20, 0, 1_000_000),
    uploadInfoTtlSeconds: int('SENDBAY_UPLOAD_INFO_TTL', 86_400, 60, 30 * 86_400),
    tusExpirySeconds: int('SENDBAY_TUS_EXPIRY', 86_400, 60, 30 * 86_400),
    downloadLinkTtlSeconds: int('SENDBAY_DOWNLOAD_LINK_TTL', 86_400, 60, 30 * 86_400),
    maxFilesPerUpload: int('SENDBAY_MAX_FILES_PER_UPLOAD', 100, 1, 100),
    uploadIdleTimeoutSeconds: int('SENDBAY_UPLOAD_IDLE_TIMEOUT', 120, 1, 3_600),
    downloadIdleTimeoutSeconds: int('SENDBAY_DOWNLOAD_IDLE_TIMEOUT', 300, 1, 86_400),
    sendfile: oneOf('SENDBAY_SENDFILE', ['on', 'off'] as const, 'on') === 'on',
    orphanGraceSeconds: int('SENDBAY_ORPHAN_GRACE', 3_600, 60, 30 * 86_400),
    sweepIntervalSeconds: int('SENDBAY_SWEEP_INTERVAL', 600, 1, 86_400),
    logLevel: oneOf('SENDBAY_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    accessLog: oneOf('SENDBAY_ACCESS_LOG', ['on', 'off'] as const, 'on') === 'on',
    metrics: oneOf('SENDBAY_METRICS', ['local', 'public', 'off'] as const, 'local'),
    trustProxy,
    plans,
    warnings: [],
  };
  if (problems.length > 0) throw new ConfigError(problems);
  // Every name this function asked for is known; any other SENDBAY_* is most likely a typo
  // (or, like SENDBAY_S3_* without SENDBAY_BLOB_STORE=s3, one that nothing reads).
  // (SENDBAY_TEST_* belong to the test suite.)
  const unknown = Object.keys(env).filter((k) => k.startsWith('SENDBAY_') && !k.startsWith('SENDBAY_TEST_') && !read.has(k));
  for (const name of unknown.sort())
    config.warnings.push(`${name} is ignored: no such setting, or one these settings do not use (misspelt?)`);
  if (isLoopbackName(safeHost(publicUrl)) && !isLoopbackName(host))
    config.warnings.push(
      `SENDBAY_PUBLIC_URL is ${publicUrl} but the server listens on ${host}: every link it hands out points at this machine only; set SENDBAY_PUBLIC_URL to the address users reach`,
    );
  return config;
}

function isLoopbackName(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `10.0.0.1, 10.1.0.0/16, loopback` -> the list, each entry an address, a CIDR or a named range. */
function parseTrustProxy(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const list = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = list.filter((e) => {
    if (PROXY_NAMES.includes(e)) return false;
    const [addr = '', bits, extra] = e.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) return true;
    if (bits === undefined) return false;
    return !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
  });
  if (bad.length > 0)
    problems.push(
      `SENDBAY_TRUST_PROXY must list addresses or CIDRs of trusted proxies (or loopback, linklocal, uniquelocal); not understood: ${bad.join(', ')}`,
    );
  return list;
}
