/**
 * Runs the real server for a test: HTTP on a loopback port, a fresh data folder in
 * the system temp dir, SQLite there, or a fresh PostgreSQL database when
 * SENDBAY_TEST_DATABASE_URL is set and the test asks for the configured engine.
 * Blobs go to the data folder, or, when SENDBAY_TEST_BLOB_STORE=s3 (with
 * SENDBAY_TEST_S3_URL naming the engine), to a fresh bucket of their own: .ci/run runs
 * the upload, download and library suites a second time that way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendspaceClient, type ClientOptions } from '@sendbay/client';
import pg from 'pg';
import pino from 'pino';
import { parseConfig, type Config } from '../config.js';
import type { ContextOverrides } from '../context.js';
import { md5Hex, randomKey } from '../lib/crypto.js';
import { startServer, type RunningServer } from '../server.js';
import { createTestBucket, testS3, type TestBucket } from './s3-engines.js';

export interface TestServer extends RunningServer {
  config: Config;
  dataDir: string;
  /** The server's own bucket when its blobs are on S3. */
  bucket: TestBucket | undefined;
  client(options?: ClientOptions): SendspaceClient;
  /** Creates an activated account and returns a client logged in as it. */
  userClient(opts?: {
    email?: string;
    password?: string;
    plan?: 'lite' | 'pro' | 'max' | 'business';
    name?: string;
  }): Promise<{ client: SendspaceClient; email: string; password: string; id: string }>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** 'sqlite' (default) or 'configured': PostgreSQL when SENDBAY_TEST_DATABASE_URL is set. */
  database?: 'sqlite' | 'configured';
  /** 'configured' (default): S3 when SENDBAY_TEST_BLOB_STORE=s3; 'disk' for tests about the disk store itself. */
  blobs?: 'disk' | 'configured';
  overrides?: ContextOverrides;
}

/** Whether servers started for tests keep their blobs on S3 (see the module comment). */
export const testBlobsOnS3 = process.env.SENDBAY_TEST_BLOB_STORE === 's3';
if (testBlobsOnS3 && !testS3) throw new Error('SENDBAY_TEST_BLOB_STORE=s3 needs SENDBAY_TEST_S3_URL (an engine to use)');

export const testPostgresUrl = process.env.SENDBAY_TEST_DATABASE_URL;

/** The engines a storage-level suite should run on: SQLite always, PostgreSQL when configured. */
export const testDatabases: ('sqlite' | 'configured')[] = testPostgresUrl ? ['sqlite', 'configured'] : ['sqlite'];

export async function createPgDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sendbay_test_${randomKey(10)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        // The server's pool may still be closing its connections: wait for them rather
        // than forcing them shut (which surfaces as an error in the closing client).
        for (let i = 0; ; i++) {
          try {
            await c.query(`drop database if exists ${name}`);
            break;
          } catch (err) {
            if (i >= 100 || (err as { code?: string }).code !== '55006') throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sendbay-test-'));
  let dropDb: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    SENDBAY_DATA_DIR: dataDir,
    SENDBAY_SECRET: 'test-secret-0123456789abcdef',
    SENDBAY_LOG_LEVEL: 'silent',
    ...opts.env,
  };
  if (opts.database === 'configured' && testPostgresUrl && !env.SENDBAY_DATABASE_URL) {
    const created = await createPgDatabase(testPostgresUrl);
    env.SENDBAY_DATABASE_URL = created.url;
    dropDb = created.drop;
  }
  let bucket: TestBucket | undefined;
  if (testS3 && testBlobsOnS3 && opts.blobs !== 'disk' && !env.SENDBAY_BLOB_STORE) {
    bucket = await createTestBucket(testS3);
    Object.assign(env, bucket.env);
  }
  // The public URL must name the real port, which is known only after listening:
  // listen first on a port picked here.
  if (env.PORT === '0') env.PORT = String(await freePort());
  env.SENDBAY_PUBLIC_URL ??= `http://127.0.0.1:${env.PORT}`;
  const config = parseConfig(env);
  let server: RunningServer;
  try {
    server = await startServer(config, { logger: pino({ level: 'silent' }), ...opts.overrides });
  } catch (err) {
    // A server that fails to start (some tests expect it to) leaves nothing behind either.
    await bucket?.drop();
    await dropDb?.();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      await bucket?.drop();
      await dropDb?.();
      await rm(dataDir, { recursive: true, force: true });
    })());
  const client = (options?: ClientOptions) => new SendspaceClient(server.url, options);
  return {
    ...server,
    config,
    dataDir,
    bucket,
    client,
    stop,
    async userClient(u = {}) {
      const email = u.email ?? `user-${randomKey(8)}@example.com`;
      const password = u.password ?? `pw-${randomKey(8)}`;
      const user = await server.ctx.accounts.create({ email, password, plan: u.plan ?? 'lite', ...(u.name ? { fullName: u.name } : {}) });
      const c = client();
      const r = await c.login(email, password);
      if (r.status !== 'ok') throw new Error(`test login failed: ${r.xml}`);
      return { client: c, email, password, id: user.id };
    },
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export { md5Hex };
