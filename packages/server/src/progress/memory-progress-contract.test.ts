// The progress contract on the in-memory tracker (one node: writer and reader are the same object).
import { MemoryProgress } from './memory-progress.js';
import { progressContract } from './progress-contract.js';

progressContract('memory', async ({ retentionMs }) => {
  const p = new MemoryProgress({ retentionMs });
  return { writer: p, reader: p, close: async () => {} };
});
