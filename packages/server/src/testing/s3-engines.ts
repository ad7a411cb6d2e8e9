/**
 * The real S3 engines the tests run on, named by environment variables that .ci/run
 * sets after starting them (scripts/services/swift.sh, ceph.sh):
 *   SENDBAY_TEST_S3_URL    Swift (or any S3): the blob-store contract and the HTTP suites
 *   SENDBAY_TEST_CEPH_URL  Ceph RGW: the blob-store contract
 * Each is http://ACCESS_KEY:SECRET@host:port/ (key and secret URL-encoded), with an
 * optional ?region=. Every test gets a bucket of its own, emptied and removed after.
 */
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client, type S3Settings } from '../blobs/s3-client.js';
import { randomKey } from '../lib/crypto.js';

export interface S3Engine {
  name: string;
  settings: S3Settings;
}

function engine(name: string, url: string | undefined): S3Engine | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  return {
    name,
    settings: {
      endpoint: u.origin,
      region: u.searchParams.get('region') ?? 'us-east-1',
      accessKeyId: decodeURIComponent(u.username),
      secretAccessKey: decodeURIComponent(u.password),
      forcePathStyle: true,
    },
  };
}

export const testS3 = engine('Swift', process.env.SENDBAY_TEST_S3_URL);
export const testCeph = engine('Ceph', process.env.SENDBAY_TEST_CEPH_URL);

/** Why a suite that needs `variable` is skipped here (CI sets it, so nothing is skipped there). */
export function missing(variable: string): string {
  return `${variable} is not set: start an engine with scripts/services/ (see .ci/run) to run this`;
}

export interface TestBucket {
  bucket: string;
  client: S3Client;
  /** The server settings for this bucket (SENDBAY_BLOB_STORE=s3 …). */
  env: Record<string, string>;
  openUploads(): Promise<number>;
  /** Every object key in the bucket. */
  objectKeys(): Promise<string[]>;
  drop(): Promise<void>;
}

export async function createTestBucket(e: S3Engine): Promise<TestBucket> {
  const client = createS3Client(e.settings);
  const bucket = `sendbay-test-${randomKey(10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const openUploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
  return {
    bucket,
    client,
    env: {
      SENDBAY_BLOB_STORE: 's3',
      SENDBAY_S3_ENDPOINT: e.settings.endpoint!,
      SENDBAY_S3_BUCKET: bucket,
      SENDBAY_S3_REGION: e.settings.region,
      SENDBAY_S3_ACCESS_KEY_ID: e.settings.accessKeyId!,
      SENDBAY_S3_SECRET_ACCESS_KEY: e.settings.secretAccessKey!,
      SENDBAY_S3_FORCE_PATH_STYLE: 'true',
    },
    openUploads,
    async objectKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of page.Contents ?? []) keys.push(o.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async drop() {
      for (const u of (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [])
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of page.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      client.destroy();
    },
  };
}
