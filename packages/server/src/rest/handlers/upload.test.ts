// upload.getInfo and anonymous.uploadGetInfo over HTTP: the exact <upload/> layout, the
// values clients rely on, and every spec error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

/** The `<upload .../>` element as two lines, as a regex client sees it. */
function uploadLines(xml: string): [string, string] {
  const lines = xml.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith('<upload url="'));
  assert.ok(i >= 0, xml);
  return [lines[i] as string, lines[i + 1] as string];
}

const FIRST_LINE = /^ {4}<upload url="([^"]+)" max_file_size="(\d+)" upload_identifier="([A-Za-z0-9._-]+)" extra_info="([A-Za-z0-9._-]+)"$/;
const SECOND_LINE = /^ {8}progress_url="([^"]+)"\/>$/;

for (const database of testDatabases) {
  describe(`upload.getInfo and anonymous.uploadGetInfo (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer({
        database,
        env: {
          SENDBAY_PLAN_LITE_MAX_FILE_SIZE: '5GB',
          SENDBAY_PLAN_PRO_DISK_SPACE: '1000',
          SENDBAY_PLAN_MAX_CAPABILITIES: 'download,folders,files',
        },
      });
    });
    after(() => server.stop());

    it('puts url, max_file_size, upload_identifier, extra_info on the first line, and progress_url alone on the next', async () => {
      const { client } = await server.userClient();
      const r = await client.call('upload.getinfo', { speed_limit: 0 });
      assert.equal(r.status, 'ok', r.xml);
      assert.equal(r.method, 'upload.getinfo');
      const [first, second] = uploadLines(r.xml);
      const m = FIRST_LINE.exec(first);
      assert.ok(m, `first line: ${first}`);
      const [, url, max, identifier, extraInfo] = m as unknown as string[];
      assert.match(second, SECOND_LINE);
      assert.equal(SECOND_LINE.exec(second)?.[1], `${server.config.publicUrl}/progress/${identifier}`);
      // The identifier in the path, one query parameter, no '&' for regex clients to trip over.
      assert.equal(url, `${server.config.publicUrl}/upload/${identifier}?MAX_FILE_SIZE=${max}`);
      assert.equal(url!.split('?').length, 2);
      assert.ok(!url!.includes('&'));
      assert.equal(extraInfo, identifier);
      // A greedy regex over the whole line still gets the right values.
      const greedy = /<upload url="(.*)" max_file_size="(.*)" upload_identifier="(.*)" extra_info="(.*)"/.exec(first);
      assert.equal(greedy?.[4], extraInfo);
      // The document is the payload, first child of <result>.
      assert.match(r.xml, /<result method="upload.getinfo" status="ok">\n {4}<upload url="/);
    });

    it('caps max_file_size of the lite plan to a signed 32-bit int, and gives larger plans a plain integer', async () => {
      const lite = await server.userClient({ plan: 'lite' });
      const liteInfo = (await lite.client.call('upload.getInfo')).body.upload as Record<string, string>;
      assert.equal(liteInfo.max_file_size, '2147483647');
      const pro = await server.userClient({ plan: 'business' });
      const proInfo = (await pro.client.call('upload.getInfo')).body.upload as Record<string, string>;
      assert.equal(proInfo.max_file_size, String(20 * 1024 ** 3));
    });

    it('anonymous.uploadGetInfo needs only an api key and gives the anonymous limit', async () => {
      const r = await server.client().call('anonymous.uploadgetinfo', { api_key: 'any', api_version: '1.0', speed_limit: 10 });
      assert.equal(r.status, 'ok', r.xml);
      assert.equal(r.method, 'anonymous.uploadgetinfo');
      const [first, second] = uploadLines(r.xml);
      assert.match(first, FIRST_LINE);
      assert.match(second, SECOND_LINE);
      assert.equal(FIRST_LINE.exec(first)?.[2], String(300 * 1024 * 1024));
      assert.equal((await server.client().call('anonymous.uploadGetInfo', { api_version: '1.2' })).error?.code, 4);
      assert.equal((await server.client().call('anonymous.uploadGetInfo', { api_key: 'k', api_version: '9' })).error?.code, 5);
    });

    it('hands out a fresh identifier each time', async () => {
      const { client } = await server.userClient();
      const a = (await client.call('upload.getInfo')).body.upload as Record<string, string>;
      const b = (await client.call('upload.getInfo')).body.upload as Record<string, string>;
      assert.notEqual(a.upload_identifier, b.upload_identifier);
    });

    it('answers 6 for a bad session and 3 without one', async () => {
      assert.equal((await server.client().call('upload.getInfo', { session_key: 'a'.repeat(32) })).error?.code, 6);
      assert.equal((await server.client().call('upload.getInfo')).error?.code, 3);
    });

    it('answers 11 when the plan cannot upload', async () => {
      const { client } = await server.userClient({ plan: 'max' });
      const r = await client.call('upload.getInfo');
      assert.equal(r.status, 'fail');
      assert.equal(r.error?.code, 11);
    });

    it('answers 19 when a paid plan has expired', async () => {
      const { client, id } = await server.userClient({ plan: 'pro' });
      const user = await server.ctx.accounts.find(id);
      await server.ctx.accounts.setPlan(user!, 'pro', server.ctx.clock.now() - 10);
      assert.equal((await client.call('upload.getInfo')).error?.code, 19);
    });

    it('answers 20 once no disk space is left', async () => {
      const { client, id } = await server.userClient({ plan: 'pro' });
      assert.equal((await client.call('upload.getInfo')).status, 'ok');
      await server.ctx.quota.chargeDisk(id, 1000, -1);
      const r = await client.call('upload.getInfo');
      assert.equal(r.error?.code, 20, r.xml);
    });

    it('refuses a speed_limit that is not a whole number (21)', async () => {
      const { client } = await server.userClient();
      assert.equal((await client.call('upload.getInfo', { speed_limit: 'fast' })).error?.code, 21);
      assert.equal((await client.call('upload.getInfo', { speed_limit: -5 })).error?.code, 21);
    });
  });
}
