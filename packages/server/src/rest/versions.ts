/** Compares dotted version strings numerically (`1.10` > `1.9`); non-numbers count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.\-_]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
