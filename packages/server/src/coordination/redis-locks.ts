/**
 * Lock keys in Redis, shared by every node: SET NX PX to take, and small scripts that
 * extend or delete only while the caller's token is still the value, so a node never
 * renews or frees a lock that expired and was taken by another.
 */
import type { Redis } from 'ioredis';
import type { LockBackend } from './lock-backend.js';

const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const DROP = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisLockBackend implements LockBackend {
  constructor(private readonly redis: Redis) {}

  async take(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`lock:${key}`, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async extend(key: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(EXTEND, 1, `lock:${key}`, token, String(ttlMs))) === 1;
  }

  async drop(key: string, token: string): Promise<void> {
    await this.redis.eval(DROP, 1, `lock:${key}`, token);
  }
}
