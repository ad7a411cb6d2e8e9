// The access log, /metrics, /healthz and /readyz over the real server: every log line
// parses as JSON and carries no secret that went over the wire; the metrics after real
// traffic (API calls, an upload, a download, a failed e-mail) say what happened.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

type Line = Record<string, unknown>;

/** A logger writing into an array, at `info`, as the server's would write to stdout. */
function capture(): { logger: pino.Logger; lines: string[]; parsed: () => Line[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Line) };
}

/** `name{labels} value` lines of the Prometheus text format, keyed by `name{labels}` as written. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a metric line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const CLOSED_SMTP = 'smtp://127.0.0.1:9'; // the discard port: nothing answers SMTP there

describe('access log and metrics', () => {
  let server: TestServer;
  const log = capture();
  const secrets: string[] = [];

  before(async () => {
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: CLOSED_SMTP }, overrides: { logger: log.logger } });
  });
  after(() => server.stop());

  const accessLines = () => log.parsed().filter((l) => l.component === 'access');
  const scrape = async (headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/metrics`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('logs one JSON line per request, with its id, and never a secret', async () => {
    const u = await server.userClient({ password: 'pw-Sekrit42' });
    secrets.push(u.client.sessionKey!, 'pw-Sekrit42');
    assert.equal((await u.client.call('auth.checkSession')).status, 'ok');

    // An upload: its identifier and signed ticket travel in the URL.
    const info = await uploadInfo(u.client);
    secrets.push(info.upload_identifier, info.extra_info);
    const content = randomBytes(5000);
    const answer = await send(info.url, multipart([{ name: 'userfile', filename: 'log-me.bin', content }]));
    const [fileId] = sessionAnswer(answer.text).fileIds;
    assert.ok(fileId, answer.text);

    // A download through the signed direct link, and a refused one with a forged signature.
    const dl = await u.client.call('download.getInfo', { file_id: fileId! });
    const url = String((dl.body.download as Record<string, unknown>).url);
    const sig = new URL(url).pathname.split('/')[4]!;
    secrets.push(sig);
    assert.deepEqual(Buffer.from(await (await fetch(url)).arrayBuffer()), content);
    const forged = url.replace(sig, 'f'.repeat(sig.length));
    assert.equal((await fetch(forged)).status, 404, 'a forged signature answers like an unknown id');

    // A secret sent where no route is: the token-like segment is still kept out of the log.
    const stray = 'x'.repeat(10) + randomBytes(12).toString('hex');
    secrets.push(stray);
    assert.equal((await fetch(`${server.url}/nowhere/${stray}?password=${stray}`)).status, 404);

    const mine = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'proxy-7f3a.1' } });
    assert.equal(mine.headers.get('x-request-id'), 'proxy-7f3a.1', 'a sane incoming id is kept');
    const insane = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'a b"<script>' } });
    assert.match(insane.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'an insane one is replaced');

    await server.ctx.log.flush();
    const lines = accessLines();
    const text = log.lines.join('');
    for (const s of secrets) assert.ok(!text.includes(s), `a secret reached the log: ${s}`);
    assert.ok(!text.includes(createHash('md5').update('pw-Sekrit42').digest('hex')));

    const check = lines.find((l) => String(l.url).includes('auth.checkSession'));
    assert.ok(check, 'the API call is logged');
    assert.equal(check.method, 'GET');
    assert.equal(check.route, '/rest/');
    assert.equal(check.status, 200);
    assert.equal(typeof check.reqId, 'string');
    assert.equal(typeof check.ms, 'number');
    assert.ok((check.bytes as number) > 0);
    assert.equal(check.client, '127.0.0.1');
    assert.match(String(check.url), /session_key=\[redacted\]/);
    // Written without pino's serialiser, yet shaped as pino writes: its prefix and bindings
    // first, the message last, and parsed with the same members as a line pino made itself.
    const raw = log.lines.find((l) => l.includes('auth.checkSession') && l.includes('"component":"access"'))!;
    const asPino = JSON.parse(raw) as Line;
    assert.deepEqual(Object.keys(asPino), [
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
    assert.equal(asPino.level, 30);
    assert.equal(asPino.msg, 'request');
    assert.ok(raw.endsWith('}\n'), 'one line, ended as pino ends it');

    const download = lines.find((l) => l.route === '/dl/:id/:expires/:sig/*' && l.status === 200);
    assert.ok(download, 'the download is logged');
    assert.equal(download.bytes, content.length);
    assert.match(String(download.url), /^\/dl\/[^/]+\/\d+\/\[redacted\]\/log-me\.bin$/);
    const upload = lines.find((l) => l.route === '/upload/*');
    assert.ok(upload && upload.status === 200, 'the upload is logged');
    assert.ok(lines.some((l) => l.status === 404 && l.route === null && String(l.url).includes('[redacted]')));
    assert.ok(
      lines.some((l) => l.reqId === 'proxy-7f3a.1'),
      'the id the client sent is the one logged',
    );

    const ids = lines.map((l) => l.reqId);
    assert.equal(new Set(ids).size, ids.length, 'one line per request');
  });

  it('logs an e-mail that could not be sent (auth.register) and counts it', async () => {
    const r = await server.client().call('auth.register', {
      api_key: 'k',
      user_name: 'mailfail@example.com',
      full_name: 'Mail Fail',
      email: 'mailfail@example.com',
      password: 'abcd1234',
    });
    assert.equal(r.status, 'fail');
    await server.ctx.log.flush();
    const line = log.parsed().find((l) => l.msg === 'e-mail not sent');
    assert.ok(line, 'the failure is in the log');
    assert.equal(line.kind, 'activation');
    assert.equal(line.level, 50);
    const metrics = parseMetrics((await scrape()).text);
    assert.equal(metrics.get('sendbay_mail_errors_total{kind="activation"}'), 1);
  });

  it('/metrics answers Prometheus text that counts the traffic above', async () => {
    const { status, type, text } = await scrape();
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(text);
    for (const name of m.keys()) assert.match(name, /^sendbay_/);
    assert.equal(m.get('sendbay_api_calls_total{method="auth.checkSession",outcome="ok"}'), 1);
    assert.equal(m.get('sendbay_api_calls_total{method="auth.login",outcome="ok"}'), 1);
    assert.equal(m.get('sendbay_api_calls_total{method="auth.register",outcome="27"}'), 1);
    assert.equal(m.get('sendbay_uploads_total{outcome="ok"}'), 1);
    assert.equal(m.get('sendbay_upload_bytes_total'), 5000);
    assert.equal(m.get('sendbay_upload_duration_seconds_count{outcome="ok"}'), 1);
    assert.equal(m.get('sendbay_uploads_in_flight'), 0);
    assert.equal(m.get('sendbay_downloads_total{outcome="completed"}'), 1);
    assert.equal(m.get('sendbay_download_bytes_total'), 5000);
    assert.equal(m.get('sendbay_sessions_active'), 1);
    assert.ok((m.get('sendbay_maintenance_runs_total{job="sweep orphan blobs and stale temporary files",result="ok"}') ?? 0) >= 1);
    assert.ok(m.has('sendbay_nodejs_eventloop_lag_seconds'));
    assert.ok(m.has('sendbay_process_resident_memory_bytes'));
  });

  it('counts an unknown method in one bucket, whatever its name', async () => {
    await server.client().call('no.such1');
    await server.client().call('no.such2');
    const m = parseMetrics((await scrape()).text);
    assert.equal(m.get('sendbay_api_calls_total{method="(unknown)",outcome="2"}'), 2);
  });

  it('keeps /metrics from requests relayed by a proxy (SENDBAY_METRICS=local)', async () => {
    assert.equal((await scrape({ 'x-forwarded-for': '203.0.113.9' })).status, 404);
    assert.equal((await scrape({ forwarded: 'for=203.0.113.9' })).status, 404);
  });

  it('/healthz answers alive and /readyz names each service, 503 once the database is gone', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    assert.equal(body.status, 'ok');
    assert.deepEqual(
      body.checks.map((c) => [c.name, c.ok]),
      [
        ['database', true],
        ['blobs', true],
      ],
    );
    await server.ctx.db.destroy();
    const down = await fetch(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    const downBody = (await down.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    assert.equal(downBody.checks.find((c) => c.name === 'database')?.ok, false);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'alive all the same');
  });
});

describe('SENDBAY_METRICS', () => {
  for (const [setting, expected] of [
    ['off', 404],
    ['public', 200],
  ] as const) {
    it(`${setting}: /metrics, even through a proxy, answers ${expected}`, async () => {
      const server = await startTestServer({ env: { SENDBAY_METRICS: setting } });
      try {
        const res = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
        assert.equal(res.status, expected);
      } finally {
        await server.stop();
      }
    });
  }
  it('SENDBAY_ACCESS_LOG=off writes no request lines', async () => {
    const log = capture();
    const server = await startTestServer({ env: { SENDBAY_ACCESS_LOG: 'off' }, overrides: { logger: log.logger } });
    try {
      const res = await fetch(`${server.url}/healthz`);
      assert.ok(res.headers.get('x-request-id'), 'the id is sent all the same');
    } finally {
      await server.stop();
    }
    assert.equal(log.parsed().filter((l) => l.component === 'access').length, 0);
  });
});
