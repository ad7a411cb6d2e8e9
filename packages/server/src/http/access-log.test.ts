// The access line is written without pino's serialiser when the logger is plainly set up,
// and through pino when an option would change the line: either way the line is the one
// pino itself would write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import pino from 'pino';
import { registerAccessLog } from './access-log.js';

type Line = Record<string, unknown>;

/** A loopback server with the access log on `logger`; returns the lines one GET left. */
async function linesFor(options: pino.LoggerOptions, path: string): Promise<Line[]> {
  const written: string[] = [];
  const logger = pino({ level: 'info', ...options }, { write: (s: string) => void written.push(s) });
  const app = Fastify();
  registerAccessLog(app, logger, true);
  app.get('/rest/', async (_req, reply) => reply.type('text/xml').send('<result status="ok"/>'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const { port } = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-request-id': 'req-1' } });
    await res.text();
    // The line is written once the response has closed.
    for (let i = 0; i < 50 && written.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await app.close();
  }
  return written.map((l) => {
    assert.ok(l.endsWith('}\n'), `one JSON object per line: ${l}`);
    return JSON.parse(l) as Line;
  });
}

describe('the access line', () => {
  it('has pino’s members, in pino’s order, with the secret redacted', async () => {
    const [line, ...more] = await linesFor({}, '/rest/?method=auth.checkSession&session_key=s3cr3t');
    assert.equal(more.length, 0);
    assert.deepEqual(Object.keys(line!), [
      'level',
      'time',
      'pid',
      'hostname',
      'component',
      'reqId',
      'method',
      'route',
      'url',
      'status',
      'bytes',
      'ms',
      'client',
      'msg',
    ]);
    assert.equal(line!.level, 30);
    assert.equal(line!.reqId, 'req-1');
    assert.equal(line!.url, '/rest/?method=auth.checkSession&session_key=[redacted]');
    assert.equal(line!.route, '/rest/');
    assert.equal(line!.bytes, '<result status="ok"/>'.length);
    assert.equal(line!.msg, 'request');
  });

  it('escapes what the client sent as JSON', async () => {
    const [line] = await linesFor({}, '/rest/?note=%22quoted%22%5Cback\u00e9');
    assert.equal(line!.url, '/rest/?note=%22quoted%22%5Cback%C3%A9');
    const [unrouted] = await linesFor({}, '/no/"where"');
    assert.equal(unrouted!.route, null);
    assert.equal(unrouted!.status, 404);
  });

  it('goes through pino when an option changes the line (a mixin, a message key, redaction)', async () => {
    const [mixed] = await linesFor({ mixin: () => ({ node: 'n1' }) }, '/rest/?method=x');
    assert.equal(mixed!.node, 'n1');
    assert.equal(mixed!.url, '/rest/?method=x');
    const [keyed] = await linesFor({ messageKey: 'message' }, '/rest/?method=x');
    assert.equal(keyed!.message, 'request');
    assert.equal(keyed!.msg, undefined);
    const [redacted] = await linesFor({ redact: ['client'] }, '/rest/?method=x');
    assert.equal(redacted!.client, '[Redacted]');
  });
});
