// anonymous.filesSendMail through HTTP on loopback, delivered to a real SMTP sink.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

describe('anonymous.filesSendMail', () => {
  let server: TestServer;
  let smtp: SmtpSink;

  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server.stop();
    await smtp.close();
  });

  const call = (params: Record<string, string>) =>
    server.client().call('anonymous.filesSendMail', { api_key: 'k', api_version: '1.0', ...params });

  it('mails the download-page links to every recipient, replying to the sender', async () => {
    const a = await storeTestFile(server.ctx, { name: 'song.mp3', content: Buffer.alloc(2048) });
    const b = await storeTestFile(server.ctx, { name: 'cover.jpg' });
    const before = smtp.messages.length;
    const r = await call({
      file_id: `${a.id},${b.id}`,
      sender_email: 'me@example.com',
      emails: 'one@example.com,two@example.com',
      message: 'check these files',
    });
    assert.equal(r.status, 'ok', r.xml);
    assert.match(r.xml, /<status>ok<\/status>\n {4}<id>[a-z0-9,]+<\/id>/, 'status first, then id');
    assert.equal(r.body.id, `${a.id},${b.id}`);

    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    assert.deepEqual(mail!.to.sort(), ['one@example.com', 'two@example.com']);
    assert.match(mail!.raw, /^Reply-To: me@example\.com\r?$/im);
    const text = mailText(mail!);
    assert.ok(text.includes(server.ctx.links.downloadPage(a.id)));
    assert.ok(text.includes(server.ctx.links.downloadPage(b.id)));
    assert.match(text, /song\.mp3/);
    assert.match(text, /check these files/);
  });

  it('answers 24 for an invalid sender or recipient, and sends nothing', async () => {
    const f = await storeTestFile(server.ctx, {});
    const before = smtp.messages.length;
    for (const params of [
      { sender_email: 'not-an-address', emails: 'one@example.com' },
      { sender_email: 'me@example.com', emails: 'one@example.com,broken' },
    ]) {
      const r = await call({ file_id: f.id, ...params });
      assert.equal(r.status, 'fail');
      assert.equal(r.error?.code, 24);
      assert.match(r.xml, /<result method="anonymous.filesSendMail" status="fail">\n {4}<error code="24"/);
    }
    assert.equal(smtp.messages.length, before);
  });

  it("answers 9 with the unknown ids (error first, then <id>) for unknown files or an account's files, and sends nothing", async () => {
    const known = await storeTestFile(server.ctx, {});
    const { id: ownerId } = await server.userClient();
    const owned = await storeTestFile(server.ctx, { ownerId });
    const before = smtp.messages.length;
    const r = await call({ file_id: `${known.id},zzzzzz,${owned.id}`, sender_email: 'me@example.com', emails: 'one@example.com' });
    assert.equal(r.status, 'fail');
    assert.equal(r.error?.code, 9);
    assert.match(r.xml, /status="fail">\n {4}<error code="9" text="File not found"\/>\n {4}<id>zzzzzz,[a-z0-9]{6}<\/id>/);
    assert.equal(r.body.id, `zzzzzz,${owned.id}`);
    assert.equal(smtp.messages.length, before);
  });

  it('answers 4 when a mandatory parameter is missing', async () => {
    const r = await call({ file_id: 'abcdef', emails: 'one@example.com' });
    assert.equal(r.error?.code, 4);
  });
});

describe('anonymous.filesSendMail limits', () => {
  it('answers 11 once an address has sent the configured number of mails in an hour', async () => {
    const smtp = await startSmtpSink();
    const server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_ANON_MAILS_PER_HOUR: '2' } });
    try {
      const f = await storeTestFile(server.ctx);
      const send = () =>
        server.client().call('anonymous.filesSendMail', { file_id: f.id, sender_email: 'me@example.com', emails: 'you@example.com' });
      assert.equal((await send()).status, 'ok');
      assert.equal((await send()).status, 'ok');
      const third = await send();
      assert.equal(third.error?.code, 11);
      assert.match(third.error!.text, /Too many e-mails/);
      await smtp.waitFor(2);
      assert.equal(smtp.messages.length, 2, 'the third mail was not sent');
    } finally {
      await server.stop();
      await smtp.close();
    }
  });
});
