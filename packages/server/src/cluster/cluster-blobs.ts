/**
 * Where the cluster test's nodes keep their blobs. S3 (SENDBAY_TEST_S3_URL, a bucket of
 * the test's own) is what the test is for; without an S3 engine the nodes share one data
 * folder instead (as nodes on a network file system would), which proves everything but
 * "no blob on a node's disk".
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

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
  skip: false as string | false,
  /** Set when the nodes' data folders hold the blobs (the shared-disk fallback). */
  nodeDisksHoldBlobs: 'no S3 engine: the nodes share one data folder for their blobs' as string | false,
  async create(work: string): Promise<ClusterBlobs> {
    return sharedDisk(work);
  },
};
