/**
 * Tells every node that cached account state is stale: a logout, a disabled account,
 * a changed plan. Each node keeps a short-lived cache of session lookups; without this
 * a logout on one node would be honoured by the others only when their entry expires.
 * Publishers await `publish` before answering, so once the call returns every node has
 * been told. A node's own events come back to it too (harmless: dropping is idempotent).
 */

export type Invalidation = { kind: 'session'; keyHash: string } | { kind: 'user'; userId: string };

export interface CacheInvalidation {
  /** Sends the event to every node; rejects when the bus cannot be reached. */
  publish(event: Invalidation): Promise<void>;
  /** Calls `listener` for every event from any node; returns the unsubscribe function. */
  subscribe(listener: (event: Invalidation) => void): () => void;
}
