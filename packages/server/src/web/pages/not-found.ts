/**
 * The one "not here" page: unknown, deleted, expired or private, a file, a folder or a
 * path all answer it, so a page never tells which. It carries the message download
 * tools look for (with its fixed inline style, allowed by hash in the CSP).
 */
import type { FastifyReply } from 'fastify';
import { buildCsp } from '../csp.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { sendPage } from '../send-page.js';
import { t } from '../strings.js';
import type { Visitor } from '../visitor.js';

const TOOL_STYLE = 'cursor: default';
const NOT_FOUND_CSP = buildCsp({ styleAttributes: [TOOL_STYLE] });

export function sendNotFound(
  reply: FastifyReply,
  opts: { title?: string; text?: string; visitor?: Visitor | undefined; status?: number } = {},
): FastifyReply {
  const body = html`<div class="card">
    <h1>${opts.title ?? t.notFound.heading}</h1>
    <div class="msg error" style="cursor: default">${t.file.notAvailable}</div>
    <p>${opts.text ?? t.notFound.text}</p>
    <p><a href="/">${t.notFound.home}</a></p>
  </div>`;
  return sendPage(reply, opts.status ?? 404, page({ title: opts.title ?? t.notFound.title, body, visitor: opts.visitor }), NOT_FOUND_CSP);
}
