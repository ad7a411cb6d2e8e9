// parseConfig: defaults, every setting's validation, one error naming every problem.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_PLANS, parseConfig } from './config.js';

const CWD = '/srv/sendbay';
const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** The problems parseConfig reports for `env`, or [] when it accepts it. */
function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env, CWD);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

describe('parseConfig', () => {
  describe('defaults', () => {
    const config = parseConfig({}, CWD);

    it('listens on 0.0.0.0:8080 and hands out http://localhost:8080 URLs', () => {
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.port, 8080);
      assert.equal(config.publicUrl, 'http://localhost:8080');
    });

    it('keeps everything in ./data: the SQLite file and the mail outbox', () => {
      assert.equal(config.dataDir, '/srv/sendbay/data');
      assert.deepEqual(config.database, { kind: 'sqlite', file: '/srv/sendbay/data/sendbay.sqlite' });
      assert.deepEqual(config.mail, { kind: 'outbox', dir: '/srv/sendbay/data/outbox' });
      assert.equal(config.mailFrom, 'Sendbay <no-reply@localhost>');
    });

    it('accepts any API key, generates the secret, and uses the default plans', () => {
      assert.equal(config.apiKeys, 'open');
      assert.equal(config.secret, undefined);
      assert.equal(config.minAppVersion, undefined);
      assert.equal(config.logLevel, 'info');
      assert.deepEqual(config.plans, DEFAULT_PLANS);
      assert.equal(config.plans.lite.maxFileSize, 300 * MB);
      assert.equal(config.plans.lite.contacts, 100);
    });

    it('hands downloads to sendfile and cuts readers idle for five minutes', () => {
      assert.equal(config.sendfile, true);
      assert.equal(config.downloadIdleTimeoutSeconds, 300);
    });

    it('treats a blank variable as unset', () => {
      const c = parseConfig({ PORT: '  ', SENDBAY_API_KEYS: '', SENDBAY_DATABASE_URL: ' ' }, CWD);
      assert.equal(c.port, 8080);
      assert.equal(c.apiKeys, 'open');
      assert.equal(c.database.kind, 'sqlite');
    });
  });

  describe('addresses and folders', () => {
    it('derives the public URL from PORT when it is not set', () => {
      assert.equal(parseConfig({ PORT: '9000' }, CWD).publicUrl, 'http://localhost:9000');
    });

    it('keeps a configured public URL, with a path, without the trailing slash', () => {
      assert.equal(parseConfig({ SENDBAY_PUBLIC_URL: 'https://files.example.com/' }, CWD).publicUrl, 'https://files.example.com');
      assert.equal(parseConfig({ SENDBAY_PUBLIC_URL: 'https://example.com/send//' }, CWD).publicUrl, 'https://example.com/send');
      const c = parseConfig({ SENDBAY_PUBLIC_URL: 'https://files.example.com' }, CWD);
      assert.equal(c.mailFrom, 'Sendbay <no-reply@files.example.com>');
    });

    it('refuses a public URL that is not absolute http(s) or carries a query or fragment', () => {
      for (const url of [
        'files.example.com',
        'ftp://example.com',
        'https://example.com/?a=1',
        'https://example.com/?',
        'https://example.com/#top',
      ]) {
        const p = problems({ SENDBAY_PUBLIC_URL: url });
        assert.equal(p.length, 1, url);
        assert.match(p[0]!, /SENDBAY_PUBLIC_URL/);
      }
    });

    it('resolves a relative data folder against the working directory', () => {
      const c = parseConfig({ SENDBAY_DATA_DIR: 'var/sb' }, CWD);
      assert.equal(c.dataDir, '/srv/sendbay/var/sb');
      assert.deepEqual(c.database, { kind: 'sqlite', file: '/srv/sendbay/var/sb/sendbay.sqlite' });
      assert.equal(parseConfig({ SENDBAY_DATA_DIR: '/data' }, CWD).dataDir, '/data');
    });

    it('takes PORT 0 (any free port) and refuses ports out of range', () => {
      assert.equal(parseConfig({ PORT: '0' }, CWD).port, 0);
      assert.match(problems({ PORT: '65536' })[0]!, /PORT must be a whole number from 0 to 65535 \(got "65536"\)/);
      assert.match(problems({ PORT: '80.5' })[0]!, /PORT/);
    });
  });

  describe('database and mail', () => {
    it('selects PostgreSQL for postgres:// and postgresql:// URLs', () => {
      for (const url of ['postgres://u:p@db:5432/sendbay', 'postgresql://db/sendbay']) {
        assert.deepEqual(parseConfig({ SENDBAY_DATABASE_URL: url }, CWD).database, { kind: 'postgres', url });
      }
    });

    it('selects a SQLite file for sqlite: URLs, relative to the working directory', () => {
      assert.deepEqual(parseConfig({ SENDBAY_DATABASE_URL: 'sqlite:db/meta.sqlite' }, CWD).database, {
        kind: 'sqlite',
        file: '/srv/sendbay/db/meta.sqlite',
      });
      assert.deepEqual(parseConfig({ SENDBAY_DATABASE_URL: 'sqlite:/var/lib/sb.sqlite' }, CWD).database, {
        kind: 'sqlite',
        file: '/var/lib/sb.sqlite',
      });
    });

    it('refuses other database URLs and a sqlite: URL without a file', () => {
      assert.match(
        problems({ SENDBAY_DATABASE_URL: 'mysql://db/sendbay' })[0]!,
        /SENDBAY_DATABASE_URL must be postgres:\/\/… or sqlite:<file> \(got "mysql:\/\/db\/sendbay"\)/,
      );
      assert.match(problems({ SENDBAY_DATABASE_URL: 'sqlite:' })[0]!, /SENDBAY_DATABASE_URL/);
    });

    it('sends mail over SMTP when SENDBAY_SMTP_URL is set, else to the outbox', () => {
      assert.deepEqual(parseConfig({ SENDBAY_SMTP_URL: 'smtps://u:p@mail.example.com:465' }, CWD).mail, {
        kind: 'smtp',
        url: 'smtps://u:p@mail.example.com:465',
      });
      assert.match(problems({ SENDBAY_SMTP_URL: 'http://mail.example.com' })[0]!, /SENDBAY_SMTP_URL/);
    });
  });

  describe('plans', () => {
    it('reads sizes such as 300MB, 10GB, 1.5 GiB, plain bytes and -1 for unlimited', () => {
      const c = parseConfig(
        {
          SENDBAY_PLAN_LITE_MAX_FILE_SIZE: '300MB',
          SENDBAY_PLAN_LITE_DISK_SPACE: '10GB',
          SENDBAY_PLAN_LITE_BANDWIDTH: '-1',
          SENDBAY_PLAN_PRO_MAX_FILE_SIZE: '1.5 GiB',
          SENDBAY_PLAN_PRO_DISK_SPACE: '1048576',
          SENDBAY_PLAN_PRO_BANDWIDTH: 'unlimited',
          SENDBAY_PLAN_MAX_BANDWIDTH: '2tb',
        },
        CWD,
      );
      assert.equal(c.plans.lite.maxFileSize, 300 * MB);
      assert.equal(c.plans.lite.diskSpace, 10 * GB);
      assert.equal(c.plans.lite.monthlyBandwidth, -1);
      assert.equal(c.plans.pro.maxFileSize, 1.5 * GB);
      assert.equal(c.plans.pro.diskSpace, 1024 * 1024);
      assert.equal(c.plans.pro.monthlyBandwidth, -1);
      assert.equal(c.plans.max.monthlyBandwidth, 2 * 1024 * GB);
    });

    it('refuses sizes it cannot read, naming the variable', () => {
      for (const v of ['lots', '10XB', '-5', '-1MB', '1e9']) {
        const p = problems({ SENDBAY_PLAN_BUSINESS_DISK_SPACE: v });
        assert.equal(p.length, 1, v);
        assert.match(p[0]!, /SENDBAY_PLAN_BUSINESS_DISK_SPACE must be a size such as 300MB, 10GB or -1/);
      }
    });

    it('reads contact limits, -1 meaning unlimited', () => {
      const c = parseConfig({ SENDBAY_PLAN_LITE_CONTACTS: '3', SENDBAY_PLAN_PRO_CONTACTS: '-1' }, CWD);
      assert.equal(c.plans.lite.contacts, 3);
      assert.equal(c.plans.pro.contacts, -1);
      assert.match(problems({ SENDBAY_PLAN_LITE_CONTACTS: '-2' })[0]!, /SENDBAY_PLAN_LITE_CONTACTS/);
    });

    it('sets capabilities from a list and refuses unknown ones', () => {
      const c = parseConfig({ SENDBAY_PLAN_LITE_CAPABILITIES: 'download, files' }, CWD);
      assert.deepEqual(
        [c.plans.lite.capableUpload, c.plans.lite.capableDownload, c.plans.lite.capableFolders, c.plans.lite.capableFiles],
        [false, true, false, true],
      );
      assert.equal(c.plans.pro.capableUpload, true, 'other plans keep their defaults');
      assert.match(problems({ SENDBAY_PLAN_LITE_CAPABILITIES: 'upload,teleport' })[0]!, /unknown capabilities: teleport/);
    });

    it('never changes the defaults it starts from', () => {
      parseConfig({ SENDBAY_PLAN_LITE_CONTACTS: '1', SENDBAY_PLAN_LITE_CAPABILITIES: 'upload' }, CWD);
      assert.equal(DEFAULT_PLANS.lite.contacts, 100);
      assert.equal(DEFAULT_PLANS.lite.capableDownload, true);
    });
  });

  describe('validation', () => {
    it('reports every problem at once, in one error', () => {
      const env = {
        PORT: 'abc',
        SENDBAY_API_KEYS: 'maybe',
        SENDBAY_PUBLIC_URL: 'ftp://files.example.com',
        SENDBAY_DATABASE_URL: 'mysql://db',
        SENDBAY_SMTP_URL: 'mail.example.com',
        SENDBAY_SECRET: 'short',
        SENDBAY_PLAN_PRO_DISK_SPACE: 'lots',
        SENDBAY_PLAN_LITE_CONTACTS: 'many',
        SENDBAY_PLAN_MAX_CAPABILITIES: 'fly',
        SENDBAY_LOG_LEVEL: 'loud',
        SENDBAY_TOKEN_TTL: '5',
      };
      let error: unknown;
      try {
        parseConfig(env, CWD);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof ConfigError);
      const named = Object.keys(env).map((name) => error.problems.filter((p) => p.includes(name)).length);
      assert.deepEqual(
        named,
        Object.keys(env).map(() => 1),
        `each variable is named once: ${error.problems.join(' | ')}`,
      );
      assert.equal(error.problems.length, Object.keys(env).length);
      assert.match(error.message, /^Invalid configuration:\n {2}- /);
      for (const p of error.problems) assert.ok(error.message.includes(p));
    });

    it('turns sendfile off only when asked, and refuses other values', () => {
      assert.equal(parseConfig({ SENDBAY_SENDFILE: 'off' }, CWD).sendfile, false);
      assert.deepEqual(problems({ SENDBAY_SENDFILE: 'no' }), ['SENDBAY_SENDFILE must be one of on, off (got "no")']);
      assert.equal(parseConfig({ SENDBAY_DOWNLOAD_IDLE_TIMEOUT: '30' }, CWD).downloadIdleTimeoutSeconds, 30);
      assert.equal(problems({ SENDBAY_DOWNLOAD_IDLE_TIMEOUT: '0' }).length, 1);
    });

    it('names the allowed values and the value it got', () => {
      assert.deepEqual(problems({ SENDBAY_API_KEYS: 'maybe' }), ['SENDBAY_API_KEYS must be one of open, registered (got "maybe")']);
      assert.deepEqual(problems({ SENDBAY_SECRET: '0123456789abcde' }), ['SENDBAY_SECRET must be at least 16 characters']);
      assert.deepEqual(problems({ SENDBAY_SECRET: '0123456789abcdef', SENDBAY_API_KEYS: 'registered' }), []);
    });
  });
  describe('backends', () => {
    it('keeps blobs on disk in the data folder and coordinates nothing by default', () => {
      const c = parseConfig({}, CWD);
      assert.deepEqual(c.blobs, { kind: 'disk', dir: '/srv/sendbay/data' });
      assert.deepEqual(c.coordination, { kind: 'memory' });
    });

    it('reads every S3 setting, with path-style on by default for a configured endpoint', () => {
      const c = parseConfig(
        {
          SENDBAY_BLOB_STORE: 's3',
          SENDBAY_S3_ENDPOINT: 'http://127.0.0.1:9000',
          SENDBAY_S3_BUCKET: 'sendbay-files',
          SENDBAY_S3_REGION: 'eu-west-1',
          SENDBAY_S3_ACCESS_KEY_ID: 'AKID',
          SENDBAY_S3_SECRET_ACCESS_KEY: 'shh',
          SENDBAY_S3_PART_SIZE: '16MB',
          SENDBAY_S3_PARTS_IN_FLIGHT: '4',
          SENDBAY_S3_PRESIGNED_DOWNLOADS: 'true',
          SENDBAY_S3_REQUEST_TIMEOUT: '10',
        },
        CWD,
      );
      assert.deepEqual(c.blobs, {
        kind: 's3',
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'sendbay-files',
        region: 'eu-west-1',
        accessKeyId: 'AKID',
        secretAccessKey: 'shh',
        forcePathStyle: true,
        partSize: 16 * MB,
        queueSize: 4,
        presignedDownloads: true,
        requestTimeoutSeconds: 10,
      });
    });

    it('uses AWS defaults when only a bucket is given', () => {
      const c = parseConfig({ SENDBAY_BLOB_STORE: 's3', SENDBAY_S3_BUCKET: 'files.example' }, CWD);
      assert.equal(c.blobs.kind, 's3');
      if (c.blobs.kind !== 's3') return;
      assert.equal(c.blobs.endpoint, undefined);
      assert.equal(c.blobs.region, 'us-east-1');
      assert.equal(c.blobs.forcePathStyle, false);
      assert.equal(c.blobs.partSize, 5 * MB);
      assert.equal(c.blobs.queueSize, 1);
      assert.equal(c.blobs.presignedDownloads, false);
      assert.equal(c.blobs.requestTimeoutSeconds, 60);
    });

    it('names what is wrong with an S3 configuration', () => {
      assert.deepEqual(problems({ SENDBAY_BLOB_STORE: 's3' }), ['SENDBAY_S3_BUCKET is required when SENDBAY_BLOB_STORE=s3']);
      const bad = problems({
        SENDBAY_BLOB_STORE: 's3',
        SENDBAY_S3_BUCKET: 'Not_A_Bucket',
        SENDBAY_S3_ENDPOINT: 'localhost:9000',
        SENDBAY_S3_ACCESS_KEY_ID: 'AKID',
        SENDBAY_S3_PART_SIZE: '1MB',
        SENDBAY_S3_FORCE_PATH_STYLE: 'sometimes',
      });
      assert.equal(bad.length, 5, bad.join(' | '));
      for (const name of ['BUCKET', 'ENDPOINT', 'ACCESS_KEY_ID', 'PART_SIZE', 'FORCE_PATH_STYLE'])
        assert.ok(
          bad.some((p) => p.includes(`SENDBAY_S3_${name}`)),
          name,
        );
      assert.deepEqual(problems({ SENDBAY_BLOB_STORE: 'nfs' }), ['SENDBAY_BLOB_STORE must be one of disk, s3 (got "nfs")']);
    });

    it('coordinates through Redis when SENDBAY_REDIS_URL is set', () => {
      assert.deepEqual(parseConfig({ SENDBAY_REDIS_URL: 'redis://127.0.0.1:6379/0' }, CWD).coordination, {
        kind: 'redis',
        url: 'redis://127.0.0.1:6379/0',
        prefix: 'sendbay:',
      });
      assert.equal(
        (parseConfig({ SENDBAY_REDIS_URL: 'redis://r', SENDBAY_REDIS_PREFIX: 'eu1:' }, CWD).coordination as { prefix: string }).prefix,
        'eu1:',
      );
      assert.deepEqual(problems({ SENDBAY_REDIS_URL: 'localhost:6379' }), [
        'SENDBAY_REDIS_URL must start with redis:// or rediss:// (got "localhost:6379")',
      ]);
    });
  });
});
