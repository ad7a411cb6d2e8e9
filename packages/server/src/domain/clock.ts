/** Time as the domain sees it: Unix seconds, replaceable in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

let lastSecond = -1;
let lastMonth = '';

/** `YYYY-MM` (UTC) of a time; remembered per second since every API call asks. */
export function monthOf(unixSeconds: number): string {
  if (unixSeconds !== lastSecond) {
    lastMonth = new Date(unixSeconds * 1000).toISOString().slice(0, 7);
    lastSecond = unixSeconds;
  }
  return lastMonth;
}
