/**
 * `Range` and `If-Range` for one representation of known size (RFC 9110 §14).
 *
 * Only a single `bytes` range is honoured. What we do with everything else, all
 * allowed by RFC 9110:
 * - no header, another unit, or a header that does not parse (`bytes=5-2`, `bytes=x`)
 *   is ignored: the whole representation (200);
 * - several ranges (`bytes=0-1,5-6`) are ignored too (200 with everything): download
 *   managers resume with one range, and a multipart/byteranges body buys nothing here;
 * - a syntactically valid range that selects nothing (first byte at or past the end,
 *   or a zero suffix) is unsatisfiable: 416 with `Content-Range: bytes *\/size`;
 * - an empty representation has no satisfiable range, so for it Range is ignored (200,
 *   empty body) rather than failing every resuming client.
 */
import type { ByteRange } from '../blobs/blob-store.js';

export type RangeOutcome = { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const DIGITS = /^\d{1,16}$/;

export function parseRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined || size <= 0) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { kind: 'full' };
  const specs = (m[1] as string).split(',').map((s) => s.trim());
  if (specs.length !== 1) return { kind: 'full' };
  const spec = specs[0] as string;
  const dash = spec.indexOf('-');
  if (dash < 0) return { kind: 'full' };
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();

  if (first === '') {
    // Suffix range: the last N bytes (all of them when N exceeds the size).
    if (!DIGITS.test(last)) return { kind: 'full' };
    const n = Number(last);
    if (n === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return { kind: 'full' };
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'full' }; // invalid range-spec: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Number(last);
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/**
 * Whether a conditional range request still applies (RFC 9110 §13.1.5): `If-Range`
 * holds either the strong ETag we sent or the exact Last-Modified date. Stored files
 * never change, so the date is as good a validator as the tag. A weak tag never matches.
 */
export function ifRangeMatches(ifRange: string | undefined, etag: string, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === etag;
  return v === lastModified;
}

/** `If-None-Match` (weak comparison, as RFC 9110 §13.1.2 asks): `*` or any listed tag. */
export function noneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const v = ifNoneMatch.trim();
  if (v === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return v.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}
