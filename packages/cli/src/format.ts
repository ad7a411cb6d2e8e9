/** Human-readable sizes, speeds, durations and tables for the CLI's output. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n < 0) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function speed(bps: number): string {
  return `${bytes(Math.round(bps))}/s`;
}

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Rows as left-aligned columns (the last column is not padded). */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}

/** `90`, `90s`, `15m`, `2h`, `7d` → seconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+)\s*([smhd]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

/** `5000000`, `512K`, `50M`, `1G` (K, M and G are powers of 1024; a trailing B or iB is allowed) → bytes. */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) ? n : undefined;
}
