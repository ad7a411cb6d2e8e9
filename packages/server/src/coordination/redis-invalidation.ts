/**
 * The invalidation bus on Redis pub/sub. PUBLISH returns once Redis has handed the
 * message to every subscribed node's socket, so a publisher that awaits it answers
 * its client only after the other nodes have been told.
 */
import type { Redis } from 'ioredis';
import type { CacheInvalidation, Invalidation } from './invalidation.js';

export class RedisInvalidation implements CacheInvalidation {
  private readonly listeners = new Set<(event: Invalidation) => void>();
  private subscribed: Promise<unknown> | undefined;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    /** Key prefixes do not apply to channels: the channel carries the prefix itself. */
    private readonly channel: string,
  ) {}

  async publish(event: Invalidation): Promise<void> {
    await this.commands.publish(this.channel, JSON.stringify(event));
  }

  subscribe(listener: (event: Invalidation) => void): () => void {
    this.listeners.add(listener);
    if (!this.subscribed) {
      this.subscriber.on('message', (channel: string, message: string) => {
        if (channel !== this.channel) return;
        const event = parse(message);
        if (event) for (const l of [...this.listeners]) l(event);
      });
      this.subscribed = this.subscriber.subscribe(this.channel).catch(() => {
        // Reconnection re-subscribes; until then the cache TTL bounds staleness.
      });
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the subscription is in place (tests wait for it before publishing). */
  async ready(): Promise<void> {
    await this.subscribed;
  }
}

function parse(message: string): Invalidation | undefined {
  try {
    const e = JSON.parse(message) as Partial<Invalidation>;
    if (e.kind === 'session' && typeof e.keyHash === 'string') return { kind: 'session', keyHash: e.keyHash };
    if (e.kind === 'user' && typeof e.userId === 'string') return { kind: 'user', userId: e.userId };
  } catch {
    // A message we cannot read is not ours to act on.
  }
  return undefined;
}
