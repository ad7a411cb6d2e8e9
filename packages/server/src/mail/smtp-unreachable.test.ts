// Fault: the SMTP server is unreachable (a closed port on loopback). Uploads that mail
// recipients and the uploader, and files.sendMail / folders.sendMail, still succeed;
// every failed delivery is logged.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

/** A loopback port that was free a moment ago and has nothing listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('with the SMTP server unreachable', () => {
  let server: TestServer;
  const lines: string[] = [];
  const failures = () =>
    lines
      .map((l) => JSON.parse(l) as { msg: string; kind?: string })
      .filter((l) => l.msg === 'e-mail not sent' || /e-mail not sent/.test(l.msg));

  before(async () => {
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` }, overrides: { logger } });
  });
  after(() => server.stop());

  it('an upload mailing its links still succeeds, and the failures are logged', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const answer = await send(
      info.url,
      multipart([
        { name: 'recipient_email', value: 'friend@example.com' },
        { name: 'notify_uploader', value: '1' },
        { name: 'userfile', filename: 'shared.txt', content: 'hello' },
      ]),
    );
    const a = sessionAnswer(answer.text);
    assert.equal(a.status, 'ok', answer.text);
    const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', a.fileIds[0]!).executeTakeFirst();
    assert.ok(row, 'the file is stored');
    const kinds = failures().map((f) => f.kind);
    assert.ok(kinds.includes('files-shared') && kinds.includes('upload-receipt'), JSON.stringify(kinds));
  });

  it('files.sendMail and folders.sendMail still answer ok, and the failures are logged', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const fileId = sessionAnswer((await send(info.url, multipart([{ name: 'userfile', filename: 'a.txt', content: 'a' }]))).text)
      .fileIds[0]!;
    const before = failures().length;
    const files = await client.call('files.sendMail', { file_id: fileId, emails: 'one@example.com,two@example.com' });
    assert.equal(files.status, 'ok', files.xml);
    const folder = await client.call('folders.create', { name: 'pub', shared: 1 });
    const folderId = ((folder.body.folder as Record<string, string>[])[0] as Record<string, string>).id as string;
    const folders = await client.call('folders.sendMail', { folder_id: folderId, emails: 'three@example.com' });
    assert.equal(folders.status, 'ok', folders.xml);
    assert.equal(failures().length - before, 3, 'one logged failure per message');
    // The recipients are still collected as contacts.
    const contacts = await client.call('addressbook.list');
    assert.match(contacts.xml, /one@example\.com/);
  });
});
