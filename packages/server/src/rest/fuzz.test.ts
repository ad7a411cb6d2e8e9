// Property-based fuzzing (fast-check, fixed seeds so a failure replays) of what the
// outside world can send: the API dispatcher with arbitrary methods and parameters, the
// parameter parsers, the upload's multipart parser with mangled bodies, and Range
// parsing, over HTTP on loopback. Properties: never a 5xx, never an error code outside
// the spec's 33, never a stack trace or an internal name in an answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_ERRORS, methods } from '@sendbay/protocol';
import fc from 'fast-check';
import { parseRange } from '../lib/range.js';
import { storeTestFile } from '../testing/stored-file.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { BOUNDARY, FORM_TYPE, multipart, send, uploadInfo } from '../testing/upload-kit.js';
import { addParam, parseUrlencoded } from './raw-params.js';
import { ApiError } from '@sendbay/protocol';

const RUNS = 60;
const SPEC_CODES = new Set(Object.keys(API_ERRORS).map(Number));
const LEAKS = /at [^\n]*\.(?:ts|js|mjs):\d+|\bError:|FST_|SQLITE|ECONN|node_modules|TypeError|undefined is not/;

function assertCleanApiAnswer(status: number, body: string): void {
  assert.ok(status < 500, `HTTP ${status}: ${body.slice(0, 300)}`);
  assert.doesNotMatch(body, LEAKS, body.slice(0, 500));
  for (const m of body.matchAll(/<error code="(\d+)"/g))
    assert.ok(SPEC_CODES.has(Number(m[1])), `code ${m[1]} is not one of the spec's 33`);
}

const METHOD_NAMES = Object.keys(methods);
const PARAM_NAMES = [
  ...new Set(Object.values(methods).flatMap((m) => Object.keys((m as { params: object }).params))),
  'method',
  'session_key',
  'api_key',
  'api_version',
  'app_version',
];
/** Only what an HTTP client can put in a header. */
const headerSafe = (s: string) => /^[\x20-\x7e]*$/.test(s);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '0', '-1', '1e9', '99999999999999999999', 'null', '%', '%zz', '%00', '\u0000', 'a'.repeat(300), '<x>&"\''),
);

describe('fuzzing the outside surfaces', () => {
  let server: TestServer;
  let sessionKey: string;
  before(async () => {
    server = await startTestServer();
    const u = await server.userClient();
    sessionKey = u.client.sessionKey ?? '';
  });
  after(() => server.stop());

  it(`the dispatcher answers every request with a spec code and no internals (${RUNS} GET, ${RUNS} POST)`, async () => {
    const request = fc.record({
      method: fc.oneof(
        fc.constantFrom(...METHOD_NAMES),
        fc.constantFrom(...METHOD_NAMES).map((m) => m.toUpperCase()),
        text,
      ),
      params: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), text), text), { maxLength: 8 }),
      withSession: fc.boolean(),
      post: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const q = new URLSearchParams();
        q.append('method', r.method);
        if (r.withSession) q.append('session_key', sessionKey);
        for (const [k, v] of r.params) q.append(k, v);
        const res = r.post
          ? await fetch(`${server.url}/rest/`, {
              method: 'POST',
              body: q,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            })
          : await fetch(`${server.url}/rest/?${q.toString()}`);
        assertCleanApiAnswer(res.status, await res.text());
      }),
      { numRuns: RUNS * 2, seed: 8_0001 },
    );
  });

  it('the parameter parsers accept or refuse with error 16, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(fc.tuple(text, text), { maxLength: 5 }), (raw, pairs) => {
        const into = new Map<string, string>();
        try {
          parseUrlencoded(raw, into);
          for (const [k, v] of pairs) addParam(into, k, v);
        } catch (err) {
          assert.ok(err instanceof ApiError && err.code === 16, String(err));
        }
      }),
      { numRuns: 2000, seed: 8_0002 },
    );
  });

  it(`the upload's multipart parser answers mangled bodies with upload_status, never a 5xx (${RUNS} bodies)`, async () => {
    const u = await server.userClient();
    const base = multipart([
      { name: 'description', value: 'fuzz' },
      { name: 'userfile', filename: 'f.bin', content: Buffer.from('0123456789'.repeat(50)) },
    ]);
    const mangle = fc.record({
      cut: fc.integer({ min: 0, max: base.length }),
      inserts: fc.array(fc.tuple(fc.integer({ min: 0, max: base.length }), fc.uint8Array({ maxLength: 12 })), { maxLength: 4 }),
      contentType: fc.oneof(
        fc.constant(FORM_TYPE),
        fc.constant('multipart/form-data'),
        fc.constant(`multipart/form-data; boundary="${BOUNDARY}"`),
        text.filter(headerSafe).map((t) => `multipart/form-data; boundary=${t}`),
        text.filter(headerSafe),
      ),
      chunked: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(mangle, async (m) => {
        let body = Buffer.from(base.subarray(0, Math.max(m.cut, base.length - 40)));
        for (const [at, bytes] of m.inserts) body = Buffer.concat([body.subarray(0, at), Buffer.from(bytes), body.subarray(at)]);
        const info = await uploadInfo(u.client);
        const answer = await send(info.url, body, { contentType: m.contentType, chunked: m.chunked });
        assert.ok(answer.status < 500, `HTTP ${answer.status}: ${answer.text}`);
        // Even a Content-Type that is no media type at all (empty, `!`) gets the upload answer.
        assert.match(answer.text, /upload_status=(ok|fail)/, answer.text);
        assert.doesNotMatch(answer.text, LEAKS, answer.text);
      }),
      { numRuns: RUNS, seed: 8_0003 },
    );
  });

  it('Range parsing: any header gives the whole file, one range inside it, or unsatisfiable', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(fc.oneof(fc.nat(), fc.constant(''), text), fc.oneof(fc.nat(), fc.constant(''), text))
        .map(([a, b]) => `bytes=${String(a)}-${String(b)}`),
      fc.array(fc.tuple(fc.nat(100), fc.nat(100)), { maxLength: 3 }).map((rs) => `bytes=${rs.map(([a, b]) => `${a}-${b}`).join(',')}`),
    );
    fc.assert(
      fc.property(header, fc.nat(1_000_000), (h, size) => {
        const r = parseRange(h, size);
        if (r.kind === 'partial') {
          assert.ok(r.range.start >= 0 && r.range.start <= r.range.end && r.range.end < size, JSON.stringify({ h, size, r }));
        }
      }),
      { numRuns: 5000, seed: 8_0004 },
    );
  });

  it(`direct downloads answer any Range header with 200, 206 or 416 and the right bytes (${RUNS} headers)`, async () => {
    const content = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(30));
    const f = await storeTestFile(server.ctx, { content });
    const url = server.ctx.links.direct(f.id, f.delete_salt, f.name, 0);
    const header = fc.oneof(
      fc.string({ maxLength: 30 }).filter(headerSafe),
      fc.tuple(fc.nat(2000), fc.nat(2000)).map(([a, b]) => `bytes=${a}-${b}`),
      fc.nat(2000).map((n) => `bytes=-${n}`),
      fc.nat(2000).map((n) => `bytes=${n}-`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (h) => {
        const res = await fetch(url, { headers: { range: h } });
        const got = Buffer.from(await res.arrayBuffer());
        assert.ok([200, 206, 416].includes(res.status), `${h}: ${res.status}`);
        if (res.status === 200) assert.ok(got.equals(content));
        if (res.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
          assert.ok(m, res.headers.get('content-range') ?? '');
          assert.ok(got.equals(content.subarray(Number(m[1]), Number(m[2]) + 1)));
        }
      }),
      { numRuns: RUNS, seed: 8_0005 },
    );
  });
});
