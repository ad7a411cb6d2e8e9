/**
 * Key material and the few primitives the server builds everything secret from:
 * unguessable keys, hashes for stored keys, HMAC signatures for links, AES-GCM for
 * values that must be read back (the md5 verifier the protocol needs), scrypt for
 * web passwords.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
} from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `[a-z0-9]`, uniformly random (rejection sampling). */
export function randomKey(length: number, alphabet = ALPHABET): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** Constant-time string comparison; different lengths compare false without leaking where. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Keys derived from the one server secret, one per purpose. */
export class Secrets {
  private readonly hmacKey: Buffer;
  private readonly encKey: Buffer;

  constructor(secret: string) {
    const ikm = Buffer.from(secret, 'utf8');
    this.hmacKey = Buffer.from(hkdfSync('sha256', ikm, 'sendbay', 'hmac', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', ikm, 'sendbay', 'aes-256-gcm', 32));
  }

  /** A URL-safe signature of `purpose` + `data`, `length` characters long. */
  sign(purpose: string, data: string, length = 22): string {
    return createHmac('sha256', this.hmacKey).update(`${purpose}\0${data}`).digest('base64url').slice(0, length);
  }

  verify(purpose: string, data: string, signature: string, length = 22): boolean {
    return safeEqual(this.sign(purpose, data, length), signature);
  }

  /** `[a-z0-9]` derivation, for keys that must look like the protocol's own (delete keys). */
  deriveKey(purpose: string, data: string, length: number): string {
    const mac = createHmac('sha256', this.hmacKey).update(`${purpose}\0${data}`).digest();
    let out = '';
    for (let i = 0; out.length < length; i++) out += ALPHABET[(mac[i % mac.length] as number) % 36];
    return out;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(sealed: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('unknown sealed value format');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scrypt(password: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A slow, salted hash for web passwords: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected);
}
