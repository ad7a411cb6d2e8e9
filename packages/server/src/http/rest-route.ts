/**
 * `/rest/` and `/rest`: gathers parameters from the query and the body (urlencoded,
 * multipart or empty), hands them to the dispatcher, and always answers HTTP 200 with
 * `text/xml; charset=utf-8`, including for bodies that are too large or malformed.
 */
import { ApiError, failResult } from '@sendbay/protocol';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Answer, Dispatcher } from '../rest/dispatch.js';
import { addParam, parseUrlencoded } from '../rest/raw-params.js';

const XML = 'text/xml; charset=utf-8';
const MAX_FIELD_BYTES = 64 * 1024;
/** Answers up to this size are sent whole; longer listings are streamed as they are read. */
const STREAM_THRESHOLD = 64 * 1024;

async function readMultipartFields(req: FastifyRequest, into: Map<string, string>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.raw.unpipe();
      req.raw.resume();
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.raw.headers, limits: { fields: 200, fieldSize: MAX_FIELD_BYTES, parts: 300, files: 100 } });
    } catch {
      throw new ApiError(16, 'Malformed multipart body');
    }
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new ApiError(16, `Parameter ${name} is too long`));
      try {
        addParam(into, name, value);
      } catch (err) {
        fail(err as Error);
      }
    });
    // Files sent to the API endpoint carry nothing it needs: drain them.
    bb.on('file', (_name, stream) => stream.resume());
    bb.on('fieldsLimit', () => fail(new ApiError(16, 'Too many parameters')));
    bb.on('partsLimit', () => fail(new ApiError(16, 'Too many parts')));
    bb.on('error', () => fail(new ApiError(16, 'Malformed multipart body')));
    bb.on('close', () => {
      if (!failed) resolve();
    });
    req.raw.pipe(bb);
  });
}

function sendXml(reply: FastifyReply, body: string): FastifyReply {
  return reply.code(200).header('content-type', XML).header('cache-control', 'no-store').send(body);
}

export function registerRestRoutes(app: FastifyInstance, dispatcher: Dispatcher): void {
  const deliver = async (reply: FastifyReply, answer: Answer): Promise<FastifyReply> => {
    if (typeof answer === 'string') return sendXml(reply, answer);
    // A streamed listing that turns out small is sent whole, with a Content-Length.
    const iterator = answer[Symbol.asyncIterator]();
    let head = '';
    for (;;) {
      const next = await iterator.next();
      if (next.done) return sendXml(reply, head);
      head += next.value;
      if (head.length >= STREAM_THRESHOLD) break;
    }
    const rest = async function* () {
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    };
    return reply.code(200).header('content-type', XML).header('cache-control', 'no-store').send(Readable.from(rest()));
  };

  const answerFor = (req: FastifyRequest, reply: FastifyReply, params: Map<string, string>): Promise<FastifyReply> | undefined => {
    const answer = dispatcher.dispatch({ params, address: req.ip });
    if (answer instanceof Promise) return answer.then((a) => deliver(reply, a));
    if (typeof answer !== 'string') return deliver(reply, answer);
    // Nothing to wait for: answer in this turn of the loop (a sync Fastify handler returns undefined).
    sendXml(reply, answer);
    return undefined;
  };

  const readParams = (req: FastifyRequest, params: Map<string, string>): void => {
    const qIndex = req.url.indexOf('?');
    if (qIndex >= 0) {
      const query = req.url.slice(qIndex + 1);
      if (query.length > 32 * 1024) throw new ApiError(16, 'The query string is too long');
      parseUrlencoded(query, params);
    }
    if (typeof req.body === 'string') parseUrlencoded(req.body, params);
  };

  const handler = (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined => {
    const params = new Map<string, string>();
    const refuse = (err: unknown): FastifyReply => {
      if (err instanceof ApiError) return sendXml(reply, failResult(params.get('method') ?? '', [{ code: err.code, text: err.text }]));
      throw err;
    };
    try {
      readParams(req, params);
    } catch (err) {
      refuse(err);
      return undefined;
    }
    if (req.headers['content-type']?.toLowerCase().startsWith('multipart/form-data'))
      return readMultipartFields(req, params).then(
        () => answerFor(req, reply, params) ?? reply,
        (err: unknown) => refuse(err),
      );
    return answerFor(req, reply, params);
  };

  for (const url of ['/rest', '/rest/']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      handler,
      // Even transport failures (body too large, bad encoding) answer as the protocol does.
      errorHandler: (err: { statusCode?: number }, _req, reply) => {
        const text = err.statusCode === 413 ? 'The request body is too large' : 'The request could not be read';
        return sendXml(reply, failResult('', [{ code: 16, text }]));
      },
    });
  }
}
