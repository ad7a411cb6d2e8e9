// The options a resumable upload carries in its Upload-Metadata land on the file as the
// upload form's fields would set them: description, password, folder, and the expiry and
// download limit with its action (what the web page's tus uploads send). A limit out of
// the form's bounds is refused at creation, before any byte is sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { uploadInfo } from '../../testing/upload-kit.js';
import { clientUpload, createUpload } from '../../tus/tus-test-kit.js';

describe('resumable upload options', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('sets the expiry, download limit and limit action from the metadata, with the other options', async () => {
    const u = await server.userClient();
    const folder = await server.ctx.libraryFolders.create((await server.ctx.accounts.find(u.id))!, { name: 'Drop', shared: 0 });
    const before = server.ctx.clock.now();
    const done = await clientUpload(`${server.url}/tus/`, Buffer.from('limited bytes'), {
      ticket: (await uploadInfo(u.client)).extra_info as string,
      filename: 'limited.txt',
      description: 'for a week',
      folder_id: folder.id,
      time_limit: '604800',
      download_limit: '3',
      limit_action: '2',
    });
    assert.ok(done.fileId);
    const row = await server.ctx.db.selectFrom('files').selectAll().where('id', '=', done.fileId).executeTakeFirstOrThrow();
    assert.equal(row.description, 'for a week');
    assert.equal(row.folder_id, folder.id);
    assert.equal(row.time_limit, 604800);
    assert.ok(row.limit_expires_at !== null && row.limit_expires_at >= before + 604800 && row.limit_expires_at <= before + 604800 + 60);
    assert.equal(row.download_limit, 3);
    assert.equal(row.limit_action, 2);
  });

  it('refuses limits the upload form would refuse, at creation', async () => {
    const ticket = (await uploadInfo((await server.userClient()).client)).extra_info as string;
    const bads: Record<string, string>[] = [{ time_limit: 'soon' }, { download_limit: '-1' }, { limit_action: '3' }];
    for (const bad of bads) {
      const res = await createUpload(server.url, 10, { ticket, filename: 'x.txt', ...bad });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(res.text, /time_limit|download_limit|limit_action/);
    }
    assert.equal((await server.ctx.db.selectFrom('tus_uploads').select('id').where('file_name', '=', 'x.txt').execute()).length, 0);
  });
});
