/** The invalidation bus inside one process: one node, or in-process test nodes sharing an instance. */
import type { CacheInvalidation, Invalidation } from './invalidation.js';

export class MemoryInvalidation implements CacheInvalidation {
  private readonly listeners = new Set<(event: Invalidation) => void>();

  async publish(event: Invalidation): Promise<void> {
    for (const l of [...this.listeners]) l(event);
  }

  subscribe(listener: (event: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
