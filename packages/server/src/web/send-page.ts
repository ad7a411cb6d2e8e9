import type { FastifyReply } from 'fastify';
import { PAGE_CSP } from './csp.js';

/** Sends a rendered page with the headers every page carries. */
export function sendPage(reply: FastifyReply, status: number, body: string, csp: string = PAGE_CSP): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(body);
}

/** A 303 after a form POST, so reloading the next page does not post again. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send('');
}
