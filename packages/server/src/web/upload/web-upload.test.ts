// The web upload form through HTTP, as download tools and browsers without JavaScript
// post it: its shape on `/`, the multipart POST of the original site's fields, the
// answer lines tools read, options, limits, validation, and the script's JSON path.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readQrSvg } from '../../testing/qr-reader.js';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { assertNoUploadLeftovers, multipart, FORM_TYPE, uploadInfo, type Part } from '../../testing/upload-kit.js';
import { clientUpload } from '../../tus/tus-test-kit.js';
import { WebAgent } from '../../testing/web-agent.js';

interface LastForm {
  action: string;
  hidden: Record<string, string>;
}

function lastForm(page: string): LastForm {
  const forms = page.split('<form').slice(1);
  const last = forms[forms.length - 1]!;
  const action = /action="([^"]+)"/.exec(last)![1]!.replace(/&amp;/g, '&');
  const hidden: Record<string, string> = {};
  for (const m of last.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) hidden[m[1]!] = m[2]!;
  return { action, hidden };
}

/** The fields of the original site's form, in its order. */
function toolFields(form: LastForm, files: { name: string; content: Buffer }[], extra: Part[] = []): Part[] {
  return [
    { name: 'PROGRESS_URL', value: form.hidden.PROGRESS_URL! },
    { name: 'js_enabled', value: '1' },
    { name: 'signature', value: form.hidden.signature! },
    { name: 'upload_files', value: '' },
    { name: 'terms', value: '1' },
    { name: 'file[]', value: '' },
    ...files.flatMap((f): Part[] => [
      { name: 'description[]', value: `about ${f.name}` },
      { name: 'upload_file[]', filename: f.name, content: f.content, contentType: 'application/octet-stream' },
    ]),
    { name: 'recpemail_fcbkinput', value: '' },
    { name: 'ownemail', value: form.hidden.ownemail ?? '' },
    { name: 'recpemail', value: '' },
    ...(form.hidden.userid
      ? [
          { name: 'userid', value: form.hidden.userid },
          { name: 'folder_id', value: '0' },
        ]
      : []),
    ...extra,
  ];
}

describe('web upload form', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_ANON_MAX_FILE_SIZE: '1MB' } });
  });
  after(async () => {
    await server.stop();
    await smtp.close();
  });

  const post = async (web: WebAgent, action: string, parts: Part[], headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(action, server.url), {
      method: 'POST',
      headers: { 'content-type': FORM_TYPE, cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers },
      body: new Uint8Array(multipart(parts)),
    });
    return { status: res.status, text: await res.text() };
  };
  const sha = (b: Buffer | ArrayBuffer) =>
    createHash('sha256')
      .update(Buffer.from(b as ArrayBuffer))
      .digest('hex');

  it('has the shape tools read, and stores what they post (anonymous): share link and delete link lines', async () => {
    const web = new WebAgent(server.url);
    const page = await web.get('/');
    assert.equal(page.status, 200);
    const form = lastForm(page.text);
    assert.match(form.action, /MAX_FILE_SIZE=\d+/);
    assert.ok(form.hidden.PROGRESS_URL && form.hidden.signature);
    assert.equal(form.hidden.userid, undefined);
    assert.match(page.text, /up to 1\.0 MB per file/);

    const files = [
      { name: 'a.txt', content: Buffer.from('first file') },
      { name: 'b <c>.bin', content: Buffer.alloc(5000, 7) },
    ];
    const res = await post(web, form.action, toolFields(form, files));
    assert.equal(res.status, 200, res.text);
    const lines = res.text.split('\n');
    const shares = lines.filter((l) => /share link">/.test(l)).map((l) => /href="([^"]+\/file\/[a-z0-9]+)"[^\n]*share link">/.exec(l)?.[1]);
    assert.equal(shares.length, 2);
    const deletes = lines.filter((l) => /href="[^"]*\/delete\//.test(l));
    assert.equal(deletes.length, 2);
    const codes = [...res.text.matchAll(/<svg\s+class="qr"[\s\S]*?<\/svg>/g)].map((m) => readQrSvg(m[0]));
    assert.deepEqual(codes, shares, 'each QR code reads as its share link');
    assert.match(res.text, /b &lt;c&gt;\.bin/);

    const rows = await server.ctx.db.selectFrom('files').selectAll().where('owner_id', 'is', null).orderBy('name').execute();
    assert.deepEqual(
      rows.map((r) => [r.name, r.description]),
      [
        ['a.txt', 'about a.txt'],
        ['b <c>.bin', 'about b <c>.bin'],
      ],
    );
    const page2 = await (await fetch(shares[1]!)).text();
    const href = /<a id="download_button" href="([^"]+)"/.exec(page2)![1]!;
    assert.equal(
      sha(await (await fetch(href.replace(/&amp;/g, '&'))).arrayBuffer()),
      sha(files[1]!.content),
      'the bytes come back unchanged',
    );
  });

  it('for a logged-in person: ownemail and userid in the form, the file in their account and folder', async () => {
    const u = await server.userClient();
    const folder = await server.ctx.libraryFolders.create((await server.ctx.accounts.find(u.email))!, {
      name: 'Holiday',
      parentId: '0',
    } as never);
    const web = new WebAgent(server.url);
    await web.get('/login');
    await web.post('/login', { email: u.email, password: u.password });
    const page = await web.get('/');
    const form = lastForm(page.text);
    assert.equal(form.hidden.ownemail, u.email);
    assert.equal(form.hidden.userid, u.id);
    assert.match(page.text, /<option value="[a-z0-9]+"[^>]*>Holiday<\/option>/);
    const res = await post(web, form.action, toolFields(form, [{ name: 'mine.txt', content: Buffer.from('mine') }]));
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch(res.text, /\/delete\//, 'account files are deleted from the account, no delete link');
    const row = await server.ctx.db.selectFrom('files').selectAll().where('name', '=', 'mine.txt').executeTakeFirstOrThrow();
    assert.equal(row.owner_id, u.id);

    const fid = (folder as unknown as { id: string }).id;
    const inFolder = await post(web, form.action, [
      ...toolFields(form, [{ name: 'in-folder.txt', content: Buffer.from('x') }]).filter((p) => p.name !== 'folder_id'),
      { name: 'folder_id', value: fid },
    ]);
    assert.equal(inFolder.status, 200, inFolder.text);
    const r2 = await server.ctx.db.selectFrom('files').selectAll().where('name', '=', 'in-folder.txt').executeTakeFirstOrThrow();
    assert.equal(r2.folder_id, fid);
  });

  it('sets expiry, download limit and action, password; mails recipients', async () => {
    const web = new WebAgent(server.url);
    const form = lastForm((await web.get('/')).text);
    const before = smtp.messages.length;
    const res = await post(web, form.action, [
      ...toolFields(form, [{ name: 'limited.txt', content: Buffer.from('limited') }]).filter((p) => p.name !== 'recpemail'),
      { name: 'recpemail', value: 'friend@example.com' },
      { name: 'message', value: 'Have a look' },
      { name: 'time_limit', value: '86400' },
      { name: 'download_limit', value: '3' },
      { name: 'limit_action', value: '2' },
      { name: 'password', value: 'sesame' },
    ]);
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /sent to 1 address/);
    const row = await server.ctx.db.selectFrom('files').selectAll().where('name', '=', 'limited.txt').executeTakeFirstOrThrow();
    assert.equal(row.download_limit, 3);
    assert.equal(row.limit_action, 2);
    assert.equal(row.time_limit, 86400);
    assert.ok(row.limit_expires_at! > row.upload_time);
    assert.ok(row.password_sealed && !row.password_sealed.includes('sesame'));
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    assert.deepEqual(mail!.to, ['friend@example.com']);
    assert.match(mailText(mail!), /Have a look/);
    const pagePw = await (await fetch(server.ctx.links.downloadPage(row.id))).text();
    assert.match(pagePw, /Downloads left<\/dt>\s*<dd>3<\/dd>/);
    assert.match(pagePw, /protected by a password/);
  });

  it('refuses a file over the limit, leaving nothing, and keeps what was typed with a message beside the field', async () => {
    const web = new WebAgent(server.url);
    const form = lastForm((await web.get('/')).text);
    const count = async () => (await server.ctx.db.selectFrom('files').selectAll().execute()).length;
    const n = await count();
    const big = await post(web, form.action, toolFields(form, [{ name: 'big.bin', content: Buffer.alloc(1024 * 1024 + 1) }]));
    assert.equal(big.status, 400);
    assert.match(big.text, /larger than the limit/);
    assert.equal(await count(), n);
    await assertNoUploadLeftovers(server);

    const bad = await post(web, form.action, [
      { name: 'signature', value: form.hidden.signature! },
      { name: 'description[]', value: 'typed <words>' },
      { name: 'upload_file[]', filename: 'ok.txt', content: Buffer.from('ok') },
      { name: 'recpemail', value: 'friend@example.com, not-an-address' },
    ]);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="f-recpemail-error"[^>]*>Some addresses are not valid/);
    assert.match(bad.text, /value="friend@example\.com, not-an-address"/);
    assert.match(bad.text, />typed &lt;words&gt;<\/textarea>/);
    assert.equal(await count(), n);
    await assertNoUploadLeftovers(server);

    const forged = await post(
      web,
      form.action,
      toolFields({ ...form, hidden: { ...form.hidden, signature: 'x.anonymous.1.0.1.aaaaaaaaaaaaaaaaaaaaaa' } }, [
        { name: 'x.txt', content: Buffer.from('x') },
      ]),
    );
    assert.equal(forged.status, 400);
    assert.equal(await count(), n);
  });

  it('answers the page script in JSON, and its result step shows the files and mails the links once', async () => {
    const web = new WebAgent(server.url);
    const page = await web.get('/');
    const form = lastForm(page.text);
    const ids: string[] = [];
    for (const name of ['one.txt', 'two.txt']) {
      const res = await post(web, form.action, toolFields(form, [{ name, content: Buffer.from(name) }]), { accept: 'application/json' });
      assert.equal(res.status, 200);
      const json = JSON.parse(res.text) as { status: string; files: { deleteUrl: string }[] };
      assert.equal(json.status, 'ok');
      ids.push(new URL(json.files[0]!.deleteUrl).pathname.split('/').slice(2, 4).join('/'));
    }
    const before = smtp.messages.length;
    const body = new URLSearchParams([['csrf', page.csrf!], ...ids.map((f) => ['f', f]), ['recpemail', 'pal@example.com']]);
    const done = await fetch(`${server.url}/upload/done`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: body.toString(),
    });
    const text = await done.text();
    assert.equal(done.status, 200);
    assert.match(text, /one\.txt/);
    assert.match(text, /two\.txt/);
    assert.match(text, /sent to 1 address/);
    const mails = (await smtp.waitFor(before + 1)).slice(before);
    assert.equal(mails.length, 1, 'one mail for both files');

    // Without the token the result step is refused; with a wrong key it shows nothing.
    const noCsrf = await fetch(`${server.url}/upload/done`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: new URLSearchParams([['f', ids[0]!]]).toString(),
    });
    assert.equal(noCsrf.status, 403);
    await noCsrf.text();
  });

  it("shows the page script's tus uploads by their upload ids, with the delete link of an anonymous one; another's upload id shows nothing", async () => {
    const web = new WebAgent(server.url);
    const page = await web.get('/');
    const ticket = lastForm(page.text).hidden.signature!;
    const done = await clientUpload(`${server.url}/tus/`, Buffer.from('sent resumably'), { ticket, filename: 'resumable.txt' });
    const uploadId = done.url.split('/').pop()!;
    const result = async (agent: WebAgent, csrf: string, ids: string[]) => {
      const res = await fetch(`${server.url}/upload/done`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        body: new URLSearchParams([['csrf', csrf], ...ids.map((u) => ['u', u])]).toString(),
      });
      return { status: res.status, text: await res.text() };
    };
    const shown = await result(web, page.csrf!, [uploadId]);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /resumable\.txt/);
    assert.match(shown.text, new RegExp(`href="${done.downloadUrl}" title="share link"`));
    assert.match(shown.text, new RegExp(`href="${server.config.publicUrl}/delete/${done.fileId}/[a-z0-9]+"`));

    // An upload of an account is shown to that account only.
    const owner = await server.userClient();
    const owned = await clientUpload(`${server.url}/tus/`, Buffer.from('mine'), {
      ticket: (await uploadInfo(owner.client)).extra_info as string,
      filename: 'mine.txt',
    });
    const unknown = await result(web, page.csrf!, [owned.url.split('/').pop()!, 'z'.repeat(32), '../../etc']);
    assert.equal(unknown.status, 303, 'nothing to show: back to the upload page');
  });
});
