/**
 * The tus 1.0.0 wire details that are not rules: what the server announces, the CORS
 * headers browsers need to drive it, and parsers for `Upload-Metadata` and
 * `Upload-Checksum`. Parsers return undefined for a malformed value (answered 400).
 */
export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = 'creation,creation-with-upload,termination,checksum,expiration';
export const TUS_CHECKSUM_ALGORITHMS = 'sha256';

/** Answers a browser may read: the offset to resume from, the upload URL, the file made. */
export const EXPOSED_HEADERS = [
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Metadata',
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Sendbay-File-Id',
  'Sendbay-Download-Url',
].join(', ');

export const ALLOWED_HEADERS = [
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Offset',
  'Upload-Checksum',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Content-Type',
  'X-HTTP-Method-Override',
  'X-Requested-With',
].join(', ');

export const ALLOWED_METHODS = 'POST, HEAD, PATCH, DELETE, OPTIONS';

const KEY_RE = /^[A-Za-z0-9_.-]{1,100}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/;
const MAX_PAIRS = 50;

/** `key base64,key2 base64,key3`: keys unique, values base64 of UTF-8 text. */
export function parseUploadMetadata(header: string | undefined): Map<string, string> | undefined {
  const out = new Map<string, string>();
  if (header === undefined || header.trim() === '') return out;
  const pairs = header.split(',');
  if (pairs.length > MAX_PAIRS) return undefined;
  for (const pair of pairs) {
    const [key, value = '', ...rest] = pair.trim().split(' ');
    if (rest.length > 0 || key === undefined || !KEY_RE.test(key) || out.has(key) || !BASE64_RE.test(value)) return undefined;
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (text.includes('\uFFFD')) return undefined; // not UTF-8
    out.set(key, text);
  }
  return out;
}

/** `sha256 <base64 digest>` -> the digest; 'unsupported' for another algorithm. */
export function parseUploadChecksum(header: string | undefined): Buffer | 'unsupported' | undefined {
  const m = /^\s*([A-Za-z0-9-]+) ([A-Za-z0-9+/]+={0,2})\s*$/.exec(header ?? '');
  if (!m) return undefined;
  if ((m[1] as string).toLowerCase() !== 'sha256') return 'unsupported';
  const digest = Buffer.from(m[2] as string, 'base64');
  return digest.length === 32 ? digest : undefined;
}

/** A non-negative integer header (Upload-Length, Upload-Offset). */
export function parseSize(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return undefined;
  const n = Number(header.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

export function metadataHeader(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}
