/**
 * Who is looking at a page, and the CSRF token its forms carry: the seam every page
 * uses. The login cookie (`ssal`, the name the original site used) holds a web
 * session key; a second cookie holds a random value that CSRF tokens are derived
 * from: token = HMAC(server secret, that value + the session's key hash). A form's
 * token thus works only in the browser it was shown in, and only for the session it
 * was made for. Both cookies are HttpOnly and SameSite=Lax, Secure behind https.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSession } from '../domain/web-sessions.js';
import { randomKey, safeEqual } from '../lib/crypto.js';
import type { UserRow } from '../metadata/repositories/users.js';
import type { Services } from '../services.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { html, type Html } from './html.js';
import { seeOther } from './send-page.js';

export const SESSION_COOKIE = 'ssal';
export const CSRF_COOKIE = 'sbcsrf';
/** The form field every POST carries its token in. */
export const CSRF_FIELD = 'csrf';
const CSRF_COOKIE_RE = /^[a-z0-9]{32}$/;

export interface Visitor {
  /** The logged-in account, or null. */
  user: UserRow | null;
  session: WebSession | undefined;
  /** The CSRF token for this visitor's forms. */
  csrf: string;
}

export type LoggedIn = Visitor & { user: UserRow; session: WebSession };

const visitors = new WeakMap<FastifyRequest, Promise<Visitor>>();

export function isSecure(services: Services): boolean {
  return services.config.publicUrl.startsWith('https:');
}

/** The visitor of a request (resolved once per request); sets the CSRF cookie when missing. */
export function visitorOf(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<Visitor> {
  let v = visitors.get(req);
  if (!v) {
    v = (async () => {
      const session = await services.webSessions.resolve(readCookie(req, SESSION_COOKIE));
      let seed = readCookie(req, CSRF_COOKIE);
      if (!seed || !CSRF_COOKIE_RE.test(seed)) {
        seed = randomKey(32);
        setCookie(reply, CSRF_COOKIE, seed, { secure: isSecure(services) });
      }
      return { user: session?.user ?? null, session, csrf: csrfToken(services, seed, session) };
    })();
    visitors.set(req, v);
  }
  return v;
}

function csrfToken(services: Services, seed: string, session: WebSession | undefined): string {
  return services.secrets.sign('web-csrf', `${seed}.${session?.keyHash ?? '-'}`, 32);
}

/** Whether `token` is the visitor's CSRF token. */
export function csrfMatches(visitor: Visitor, token: string | null | undefined): boolean {
  return typeof token === 'string' && safeEqual(token, visitor.csrf);
}

/** The hidden input every form carries. */
export function csrfInput(visitor: Visitor): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${visitor.csrf}" />`;
}

/**
 * For pages that need a login: the logged-in visitor, or null after answering with a
 * redirect to the login page (which comes back here once logged in).
 */
export async function requireUser(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<LoggedIn | null> {
  const v = await visitorOf(req, reply, services);
  if (v.user && v.session) return v as LoggedIn;
  seeOther(reply, `/login?next=${encodeURIComponent(req.url)}`);
  return null;
}

/** Starts a session in the browser: the cookie, and a fresh visitor for the page that follows. */
export function startSessionCookie(reply: FastifyReply, services: Services, key: string, maxAgeSeconds: number | undefined): void {
  setCookie(reply, SESSION_COOKIE, key, { secure: isSecure(services), maxAge: maxAgeSeconds });
}

export function endSessionCookie(reply: FastifyReply, services: Services): void {
  clearCookie(reply, SESSION_COOKIE, { secure: isSecure(services) });
}

/** Only a local path is a place to go back to after logging in (never another site). */
export function safeNext(next: string | null | undefined): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
