/**
 * Requests the router cannot even match: a path whose percent-encoding is broken, or a
 * path parameter longer than the router allows. Fastify would answer these with its own
 * JSON naming the framework; the site answers its own pages instead (and the API its
 * `<result>` document, at HTTP 200 like every API answer).
 */
import { failResult } from '@sendbay/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../web/html.js';
import { page } from '../web/layout.js';
import { sendNotFound } from '../web/pages/not-found.js';
import { sendPage } from '../web/send-page.js';

export function answerUnroutable(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const badUrl = err.code === 'FST_ERR_BAD_URL';
  if (/^\/rest(\/|\?|$)/i.test(req.url)) {
    return reply
      .code(200)
      .type('text/xml; charset=utf-8')
      .send(failResult('', [{ code: 16, text: 'The request could not be read: the URL is malformed' }]));
  }
  if (!badUrl) {
    // A parameter too long to be any id the site hands out: the same as an unknown one.
    return sendNotFound(reply);
  }
  return sendPage(
    reply,
    400,
    page(
      'Bad request',
      html`<div class="card">
        <h1>Bad request</h1>
        <p>This address is not valid: it has a broken percent-encoding. Check the link and try again.</p>
        <p><a href="/">Sendbay home</a></p>
      </div>`,
    ),
  );
}
