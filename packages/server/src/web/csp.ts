/**
 * The Content-Security-Policy of every page: scripts and styles from this server only
 * (no inline script, no CDN), images from here or data: URLs, XHR to here, forms only
 * to here, never framed. A page that must carry a fixed inline `style="…"` attribute (a
 * shape download tools read) names its hash; nothing else inline is ever allowed.
 */
import { createHash } from 'node:crypto';

export interface CspOptions {
  /** Exact `style` attribute values the page carries, allowed by hash only. */
  styleAttributes?: readonly string[];
}

export function styleHash(value: string): string {
  return `'sha256-${createHash('sha256').update(value, 'utf8').digest('base64')}'`;
}

export function buildCsp(opts: CspOptions = {}): string {
  const attrs = opts.styleAttributes ?? [];
  const style = attrs.length > 0 ? `'self' 'unsafe-hashes' ${attrs.map(styleHash).join(' ')}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${style}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The policy of pages with nothing inline at all. */
export const PAGE_CSP = buildCsp();
