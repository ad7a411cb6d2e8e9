// The disk resumable store against the shared ResumableStore contract: files under the
// data folder, moved into the disk blob store when complete.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBlobStore } from '../blobs/disk-store.js';
import { DiskResumableStore } from './disk-resumable-store.js';
import { resumableStoreContract } from './resumable-store-contract.js';

resumableStoreContract('DiskResumableStore', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sendbay-tus-store-'));
  const blobs = new DiskBlobStore(join(dataDir, 'blobs'));
  return {
    store: new DiskResumableStore(dataDir, blobs),
    // Nodes on disk share the data folder.
    otherNode: new DiskResumableStore(dataDir, blobs),
    blobs,
    leftovers: async () => readdir(join(dataDir, 'tus')).catch(() => []),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
});
