/**
 * What of a request URL may be written to a log: secrets (session keys, passwords,
 * link signatures, upload identifiers and tickets, activation and delete keys) are
 * replaced by `[redacted]`, in the query and in the path.
 */

export const REDACTED = '[redacted]';

/** Query parameters whose value is a secret, or lets someone act as its owner. */
const SECRET_QUERY = /password|key|sig|token|extra_info|identifier|progress_id|^id$/i;
/** Route parameters (`:name` or the `*` tail) that are secrets, by route. */
const SECRET_PARAMS = new Map<string, readonly string[]>([
  ['/dl/:id/:expires/:sig', ['sig']],
  ['/dl/:id/:expires/:sig/*', ['sig']],
  ['/delete/:id/:key', ['key']],
  ['/activate/:key', ['key']],
  ['/upload/*', ['*']],
  ['/progress/*', ['*']],
]);
/** On a path no route matched, a long token-like segment may be a secret sent to the wrong place. */
const TOKEN_SEGMENT = /^[A-Za-z0-9_-]{16,}$/;
const MAX_LOGGED = 512;
const ESCAPED = /[%+]/;

function redactQuery(query: string): string {
  let out = '';
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    let name = rawName;
    // Most names carry no escapes; decoding only those that do keeps a log line cheap.
    if (ESCAPED.test(rawName))
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the name as sent
      }
    out += (out ? '&' : '') + (eq >= 0 && SECRET_QUERY.test(name) ? `${rawName}=${REDACTED}` : pair);
  }
  return out;
}

function redactPath(path: string, route: string | undefined): string {
  if (route === undefined)
    return path
      .split('/')
      .map((s) => (TOKEN_SEGMENT.test(s) ? REDACTED : s))
      .join('/');
  // Most routes hold no secret in their path: those are logged as they are, unsplit.
  const secret = SECRET_PARAMS.get(route);
  if (!secret) return path;
  const pattern = route.split('/');
  return path
    .split('/')
    .map((s, i) => {
      const p = pattern[i];
      if (p === undefined) return pattern[pattern.length - 1] === '*' && secret.includes('*') ? REDACTED : s;
      if (p === '*') return secret.includes('*') ? REDACTED : s;
      return p.startsWith(':') && secret.includes(p.slice(1)) ? REDACTED : s;
    })
    .join('/');
}

/** `url` as it may be logged; `route` is the matched route pattern, undefined for none. */
export function redactUrl(url: string, route: string | undefined): string {
  const q = url.indexOf('?');
  const path = redactPath(q < 0 ? url : url.slice(0, q), route);
  const logged = q < 0 ? path : `${path}?${redactQuery(url.slice(q + 1))}`;
  return logged.length > MAX_LOGGED ? `${logged.slice(0, MAX_LOGGED)}…` : logged;
}
