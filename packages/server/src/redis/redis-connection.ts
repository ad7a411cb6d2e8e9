/**
 * One Redis connection shared by the Redis adapters of a node (progress, rate limits,
 * locks), plus a second one for pub/sub, which Redis reserves for subscribing.
 *
 * Redis being down must never hang a request: every command gives up after
 * `commandTimeout` (commands issued while reconnecting wait in ioredis's queue at
 * most that long), and reconnection goes on in the background forever, so a Redis
 * that comes back is used again with no restart. Connection errors are logged once
 * per outage, not once per retry.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisConnectionOptions {
  /** Prepended to every key and channel, so several deployments (or tests) can share one Redis. */
  prefix?: string;
  /** Milliseconds a command may take before it fails; default 1000. */
  commandTimeoutMs?: number;
}

export class RedisConnection {
  readonly client: Redis;
  readonly prefix: string;
  private sub: Redis | undefined;
  private down = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    opts: RedisConnectionOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'sendbay:';
    this.client = this.open('commands', {
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      maxRetriesPerRequest: 1,
    });
  }

  /** The pub/sub connection, opened on first use. */
  subscriber(): Redis {
    // Subscriptions are renewed by ioredis after every reconnect.
    this.sub ??= this.open('pub/sub', { autoResubscribe: true, maxRetriesPerRequest: null });
    return this.sub;
  }

  /** Resolves when Redis answers PING within the command timeout; for /healthz and /readyz. */
  async ping(): Promise<void> {
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`Redis answered PING with ${answer}`);
  }

  /** Same as `ping`, under the name the readiness check uses. */
  check(): Promise<void> {
    return this.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.client, this.sub].map((c) => (c ? closeOne(c) : undefined)));
  }

  private open(role: string, extra: RedisOptions): Redis {
    const client = new Redis(this.url, {
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      // Keys are namespaced here once, not by each adapter.
      keyPrefix: this.prefix,
      ...extra,
    });
    client.on('error', (err: Error) => {
      if (this.down) return;
      this.down = true;
      this.log.warn({ err: err.message, role }, 'Redis unreachable; retrying in the background');
    });
    client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.log.info({ role }, 'Redis reachable again');
    });
    return client;
  }
}

/** QUIT lets pending replies arrive; a connection that is not up (or queued work) is cut instead, never awaited. */
async function closeOne(c: Redis): Promise<void> {
  if (c.status !== 'ready') return c.disconnect();
  const timer = setTimeout(() => c.disconnect(), 1000);
  try {
    await c.quit();
  } catch {
    c.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
