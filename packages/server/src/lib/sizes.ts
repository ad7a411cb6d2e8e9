/** Parses sizes like `300MB`, `10GB`, `1.5 TiB` or a plain byte count; -1 or `unlimited` means no limit. */
const UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(raw: string): number | undefined {
  const s = raw.trim().toLowerCase();
  if (s === '-1' || s === 'unlimited') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) return undefined;
  const unit = UNITS[m[2] || 'b'];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}
