/** API keys an operator registers for `SENDBAY_API_KEYS=registered`; only hashes are stored. */
import { randomKey, sha256Hex } from '../lib/crypto.js';
import type { ApiKeyRow, ApiKeysRepository } from '../metadata/repositories/api-keys.js';
import type { Clock } from './clock.js';

export class ApiKeys {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly clock: Clock,
  ) {}

  /** Returns the new key; it is shown once and never again. */
  async add(name: string): Promise<string> {
    const key = randomKey(32).toUpperCase();
    await this.repo.insert({ key_hash: sha256Hex(key), prefix: key.slice(0, 8), name, created_at: this.clock.now(), revoked_at: null });
    return key;
  }

  isActive(keyHash: string): Promise<boolean> {
    return this.repo.isActive(keyHash);
  }

  list(): Promise<ApiKeyRow[]> {
    return this.repo.list();
  }

  /**
   * Revokes by the key itself or by the 8-character prefix `apikey list` shows. A whole
   * key must be an active key exactly: a mistyped one must not revoke whichever key
   * happens to share its first 8 characters.
   */
  async revoke(keyOrPrefix: string): Promise<boolean> {
    const given = keyOrPrefix.trim().toUpperCase();
    if (given.length < 8) return false;
    if (given.length > 8 && !(await this.repo.isActive(sha256Hex(given)))) return false;
    return (await this.repo.revokeByPrefix(given.slice(0, 8), this.clock.now())) > 0;
  }
}
