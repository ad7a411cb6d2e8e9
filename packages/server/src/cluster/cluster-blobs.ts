/**
 * Where the cluster test's nodes keep their blobs: a bucket of the test's own on the S3
 * engine named by SENDBAY_TEST_S3_URL (Swift in CI), which is what the test is for.
 * Without an engine (a developer's machine) the nodes share one data folder instead, as
 * nodes on a network file system would: that proves everything but "no blob on a node's
 * disk", which is then skipped with the reason.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestBucket, missing, testS3 } from '../testing/s3-engines.js';

export interface ClusterBlobs {
  /** Environment of a node whose own data folder is `dataDir`. */
  env(dataDir: string): Record<string, string>;
  /** Every stored blob key. */
  objectKeys(): Promise<string[]>;
  /** Uploads begun and neither finished nor aborted (S3 multipart uploads, temporary files on disk). */
  openUploads(): Promise<number>;
  drop(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name))));
    else out.push(e.name);
  }
  return out;
}

function sharedDisk(work: string): ClusterBlobs {
  const shared = join(work, 'shared-data');
  return {
    env: () => ({ SENDBAY_DATA_DIR: shared }),
    objectKeys: () => filesUnder(join(shared, 'blobs')),
    openUploads: async () => (await filesUnder(join(shared, 'tmp'))).length,
    drop: async () => {},
  };
}

export const clusterBlobs = {
  /** Set when the nodes' data folders hold the blobs (no S3 engine here). */
  nodeDisksHoldBlobs: (testS3 ? false : `${missing('SENDBAY_TEST_S3_URL')}; the nodes share one data folder for their blobs instead`) as
    string | false,
  async create(work: string): Promise<ClusterBlobs> {
    if (!testS3) return sharedDisk(work);
    const bucket = await createTestBucket(testS3);
    return {
      env: () => bucket.env,
      // The S3 store keeps blob `k` as the object `blobs/k`.
      objectKeys: async () => (await bucket.objectKeys()).map((k) => k.replace(/^blobs\//, '')),
      openUploads: () => bucket.openUploads(),
      drop: () => bucket.drop(),
    };
  },
};
