/**
 * Turns query strings and urlencoded bodies into one parameter map. Written by hand
 * (not URLSearchParams) because it must *notice* what URLSearchParams hides: invalid
 * percent-encoding or UTF-8 and contradictory duplicates become error 16.
 */
import { ApiError } from '@sendbay/protocol';

/** Most distinct parameters one request may carry. */
export const MAX_PARAMS = 200;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(part: string): string {
  const s = part.includes('+') ? part.replace(/\+/g, ' ') : part;
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length === 0) return;
    out += utf8.decode(Uint8Array.from(bytes)); // throws on invalid UTF-8
    bytes.length = 0;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      flush();
      out += c;
    }
  }
  flush();
  return out;
}

export function addParam(into: Map<string, string>, name: string, value: string): void {
  const prev = into.get(name);
  if (prev !== undefined) {
    if (prev !== value) throw new ApiError(16, `Parameter ${name} was given more than once with different values`);
    return;
  }
  if (into.size >= MAX_PARAMS) throw new ApiError(16, `Too many parameters (at most ${MAX_PARAMS})`);
  into.set(name, value);
}

/** Parses `a=1&b=2` into `into`. Names are matched case-sensitively, as the spec writes them. */
export function parseUrlencoded(raw: string, into: Map<string, string>): void {
  if (raw === '') return;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decode(rawName);
      value = decode(rawValue);
    } catch {
      throw new ApiError(16, 'A parameter is not valid UTF-8 or percent-encoding');
    }
    if (name === '') continue;
    addParam(into, name, value);
  }
}
