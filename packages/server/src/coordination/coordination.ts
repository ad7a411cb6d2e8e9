/**
 * What the nodes of a cluster share besides the database and the blobs: in-flight upload
 * progress, rate-limit counters, locks, and word of changed sessions. One node keeps them
 * in memory; several share them through Redis (`redis/redis-coordination.ts`).
 */
import type { ProgressTracker } from '../progress/progress-tracker.js';
import type { RateLimitStore } from '../ratelimit/rate-limit-store.js';
import type { CacheInvalidation } from './invalidation.js';
import type { Locks } from './locks.js';

export interface Coordination {
  progress: ProgressTracker;
  rateLimits: RateLimitStore;
  locks: Locks;
  invalidation: CacheInvalidation;
}
