// The coordination contract on the in-memory backend: two in-process nodes sharing one instance.
import { coordinationContract } from './coordination-contract.js';
import { MemoryInvalidation } from './memory-invalidation.js';
import { MemoryLockBackend } from './memory-locks.js';
import { RenewingLocks } from './renewing-locks.js';

coordinationContract('memory', async () => {
  const backend = new MemoryLockBackend();
  const bus = new MemoryInvalidation();
  const node = () => ({ locks: new RenewingLocks(backend), backend, bus });
  return { a: node(), b: node(), ready: async () => {}, evict: async (key) => backend.evict(key), close: async () => {} };
});
