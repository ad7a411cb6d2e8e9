// Access rules of the library: a stranger and a business team mate try every files.* and folders.*
// method on the first user's files and folders. Foreign ids look unknown (9 / 10); what the team
// shares is visible with not_owned=1 and read-only (11). Over HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import type { FileRow } from '../../metadata/repositories/files.js';
import { fileRow, storeFile, userRow } from '../../testing/library-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

type Attrs = Record<string, string>;
const folders = (body: Record<string, unknown>) => (body.folder ?? []) as Attrs[];
const files = (body: Record<string, unknown>) => (body.file ?? []) as Attrs[];

for (const database of testDatabases) {
  describe(`library access rules (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;
    let owner: { client: SendspaceClient; id: string; email: string; password: string };
    let member: { client: SendspaceClient; id: string };
    let stranger: { client: SendspaceClient; id: string };
    /** The owner's things: a team-shared top-level folder with a sub-folder, a private folder, files. */
    const o = {} as {
      team: string;
      teamSub: string;
      priv: string;
      teamRootFile: FileRow;
      teamNestedFile: FileRow;
      lockedTeamFile: FileRow;
      privFile: FileRow;
      rootFile: FileRow;
    };
    let memberFile: FileRow;
    let memberFolder: string;
    let strangerFile: FileRow;
    let strangerFolder: string;

    const create = async (client: SendspaceClient, name: string, params: Record<string, string | number> = {}) => {
      const r = await client.call('folders.create', { name, ...params });
      assert.equal(r.status, 'ok', r.xml);
      return folders(r.body)[0]!.id!;
    };

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({ database, env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_PLAN_BUSINESS_DISK_SPACE: '1GB' } });
      owner = await server.userClient({ plan: 'business' });
      member = await server.userClient();
      stranger = await server.userClient();
      await server.ctx.teams.addMember(await userRow(server, owner.id), await userRow(server, member.id));

      o.team = await create(owner.client, 'Team share', { shared: 1 });
      assert.equal((await owner.client.call('folders.setInfo', { folder_id: o.team, business_shared: 1 })).status, 'ok');
      o.teamSub = await create(owner.client, 'Inside', { parent_folder_id: o.team });
      o.priv = await create(owner.client, 'Private', { shared: 1 });
      o.teamRootFile = await storeFile(server, owner.id, { name: 'team-root.txt', businessShared: true });
      o.teamNestedFile = await storeFile(server, owner.id, { name: 'nested.txt', folderId: o.teamSub });
      o.lockedTeamFile = await storeFile(server, owner.id, { name: 'locked.txt', folderId: o.team, password: 'owner-only' });
      o.privFile = await storeFile(server, owner.id, { name: 'private.txt', folderId: o.priv });
      o.rootFile = await storeFile(server, owner.id, { name: 'root.txt' });
      memberFile = await storeFile(server, member.id);
      memberFolder = await create(member.client, 'member folder');
      strangerFile = await storeFile(server, stranger.id);
      strangerFolder = await create(stranger.client, 'stranger folder');
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const ownerFileIds = () => [o.teamRootFile, o.teamNestedFile, o.lockedTeamFile, o.privFile, o.rootFile].map((f) => f.id);
    const ownerFolderIds = () => [o.team, o.teamSub, o.priv];
    const code = async (client: SendspaceClient, method: string, params: Record<string, string | number>) => {
      const r = await client.call(method, params);
      assert.equal(r.status, 'fail', `${method} ${JSON.stringify(params)} should fail: ${r.xml}`);
      return r.error?.code;
    };

    /** Nothing the owner has changed: names, folders, sizes and disk usage. */
    const assertOwnerUntouched = async () => {
      for (const f of [o.teamRootFile, o.teamNestedFile, o.lockedTeamFile, o.privFile, o.rootFile]) {
        const now = await fileRow(server, f.id);
        assert.ok(now, `${f.name} still exists`);
        assert.deepEqual(
          [now.name, now.folder_id, now.description, now.password_sealed === null],
          [f.name, f.folder_id, f.description, f.password_sealed === null],
        );
      }
      const all = folders((await owner.client.call('folders.getAll')).body);
      assert.deepEqual(
        all.map((f) => [f.id, f.name, f.parent_folder_id]),
        [
          ['0', 'Default', '0'],
          [o.priv, 'Private', '0'],
          [o.team, 'Team share', '0'],
          [o.teamSub, 'Inside', o.team],
        ],
      );
    };

    describe('a stranger', () => {
      it('gets 9 for every files.* method on the owner’s files', async () => {
        for (const id of ownerFileIds()) {
          assert.equal(await code(stranger.client, 'files.getInfo', { file_id: id }), 9);
          assert.equal(await code(stranger.client, 'files.setInfo', { file_id: id, name: 'pwned' }), 9);
          assert.equal(await code(stranger.client, 'files.moveToFolder', { file_id: id, folder_id: '0' }), 9);
          assert.equal(await code(stranger.client, 'files.delete', { file_id: id }), 9);
          assert.equal(await code(stranger.client, 'files.sendMail', { file_id: id, emails: 'x@example.com' }), 9);
        }
        const r = await stranger.client.call('files.getInfo', { file_id: [strangerFile.id, ...ownerFileIds()].join(',') });
        assert.equal(r.status, 'ok');
        assert.deepEqual(
          r.errors,
          [{ code: 9, text: 'File not found', id: ownerFileIds().join(',') }],
          'foreign ids look like unknown ones',
        );
        await assertOwnerUntouched();
      });

      it('gets 10 for every folders.* method on the owner’s folders, and cannot use them as targets', async () => {
        for (const id of ownerFolderIds()) {
          assert.equal(await code(stranger.client, 'folders.getInfo', { folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'folders.setInfo', { folder_id: id, name: 'pwned' }), 10);
          assert.equal(await code(stranger.client, 'folders.delete', { folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'folders.getContents', { folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'folders.move', { folder_id: id, parent_folder_id: '0' }), 10);
          assert.equal(await code(stranger.client, 'folders.sendMail', { folder_id: id, emails: 'x@example.com' }), 10);
          assert.equal(await code(stranger.client, 'folders.create', { name: 'intruder', parent_folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'folders.move', { folder_id: strangerFolder, parent_folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'folders.setInfo', { folder_id: strangerFolder, parent_folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'files.moveToFolder', { file_id: strangerFile.id, folder_id: id }), 10);
          assert.equal(await code(stranger.client, 'files.setInfo', { file_id: strangerFile.id, folder_id: id }), 10);
          assert.equal(
            await code(stranger.client, 'files.setInfo', { file_id: strangerFile.id, limit_action: 3, limit_action_to_folder: id }),
            10,
          );
        }
        const all = folders((await stranger.client.call('folders.getAll')).body).map((f) => f.id);
        assert.deepEqual(all, ['0', strangerFolder]);
        const root = await stranger.client.call('folders.getContents', { folder_id: '0' });
        assert.deepEqual(
          files(root.body).map((f) => f.id),
          [strangerFile.id],
        );
        await assertOwnerUntouched();
      });

      it('sees a public folder only through folders.getShared, and a private one not at all (33)', async () => {
        const shared = await stranger.client.call('folders.getShared', { folder_id: o.priv });
        assert.equal(shared.status, 'ok', 'shared=1 makes it public');
        assert.deepEqual(
          files(shared.body).map((f) => f.id),
          [o.privFile.id],
        );
        assert.equal(await code(stranger.client, 'folders.getShared', { folder_id: o.teamSub }), 33);
      });
    });

    describe('a team mate', () => {
      it('reads shared files with not_owned=1, without delete_url or password, and nothing else', async () => {
        const r = await member.client.call('files.getInfo', { file_id: ownerFileIds().join(',') });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.id, [o.teamRootFile.id, o.teamNestedFile.id, o.lockedTeamFile.id].join(','));
        for (const f of files(r.body)) {
          assert.equal(f.not_owned, '1');
          assert.equal(f.delete_url, undefined);
          assert.equal(f.password, undefined);
        }
        const [root, nested, locked] = files(r.body);
        assert.equal(root!.business_shared, '1');
        assert.match(nested!.direct_download_url!, /\/dl\//);
        assert.equal(locked!.direct_download_url, undefined, 'no link around the owner’s password');
        assert.deepEqual(r.errors, [{ code: 9, text: 'File not found', id: `${o.privFile.id},${o.rootFile.id}` }]);
      });

      it('gets 11 when changing a shared file, 9 for the rest', async () => {
        for (const id of [o.teamRootFile.id, o.teamNestedFile.id, o.lockedTeamFile.id]) {
          assert.equal(await code(member.client, 'files.setInfo', { file_id: id, name: 'mine now' }), 11);
          assert.equal(await code(member.client, 'files.moveToFolder', { file_id: id, folder_id: '0' }), 11);
          assert.equal(await code(member.client, 'files.moveToFolder', { file_id: id, folder_id: memberFolder }), 11);
          assert.equal(await code(member.client, 'files.delete', { file_id: id }), 11);
        }
        for (const id of [o.privFile.id, o.rootFile.id]) {
          assert.equal(await code(member.client, 'files.setInfo', { file_id: id, name: 'x' }), 9);
          assert.equal(await code(member.client, 'files.delete', { file_id: id }), 9);
          assert.equal(await code(member.client, 'files.sendMail', { file_id: id, emails: 'x@example.com' }), 9);
        }
        const mixed = await member.client.call('files.delete', { file_id: `${memberFile.id},${o.teamRootFile.id},${o.rootFile.id}` });
        assert.equal(mixed.status, 'ok');
        assert.equal(mixed.body.id, memberFile.id);
        assert.deepEqual(
          mixed.errors.map((e) => [e.code, e.id]),
          [
            [11, o.teamRootFile.id],
            [9, o.rootFile.id],
          ],
        );
        memberFile = await storeFile(server, member.id);
        await assertOwnerUntouched();
      });

      it('may mail a shared file’s link (sending a link is reading)', async () => {
        const start = smtp.messages.length;
        const r = await member.client.call('files.sendMail', { file_id: o.teamRootFile.id, emails: 'colleague@example.com' });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.id, o.teamRootFile.id);
        await smtp.waitFor(start + 1);
      });

      it('reads shared folders with not_owned=1 and business_shared, in getInfo, getContents and getAll', async () => {
        const info = folders((await member.client.call('folders.getInfo', { folder_id: o.team })).body)[0]!;
        assert.deepEqual(
          [info.id, info.not_owned, info.business_shared, info.total_files, info.total_folders],
          [o.team, '1', '1', '2', '1'],
        );
        assert.equal(info.folder_password, undefined);
        assert.equal(folders((await member.client.call('folders.getInfo', { folder_id: o.teamSub })).body)[0]!.not_owned, '1');
        assert.equal(await code(member.client, 'folders.getInfo', { folder_id: o.priv }), 10);

        const root = await member.client.call('folders.getContents', { folder_id: '0' });
        assert.deepEqual(
          folders(root.body).map((f) => [f.id, f.not_owned]),
          [
            [memberFolder, '0'],
            [o.team, '1'],
          ],
        );
        assert.deepEqual(
          files(root.body).map((f) => [f.id, f.not_owned]),
          [
            [memberFile.id, '0'],
            [o.teamRootFile.id, '1'],
          ],
        );
        const inside = await member.client.call('folders.getContents', { folder_id: o.team });
        assert.deepEqual(
          folders(inside.body).map((f) => [f.id, f.not_owned]),
          [[o.teamSub, '1']],
        );
        assert.deepEqual(
          files(inside.body).map((f) => [f.id, f.not_owned, f.delete_url]),
          [[o.lockedTeamFile.id, '1', undefined]],
        );
        assert.equal(await code(member.client, 'folders.getContents', { folder_id: o.priv }), 10);

        const all = folders((await member.client.call('folders.getAll')).body);
        assert.deepEqual(
          all.map((f) => [f.id, f.parent_folder_id, f.not_owned]),
          [
            ['0', '0', '0'],
            [memberFolder, '0', '0'],
            [o.team, '0', '1'],
            [o.teamSub, o.team, '1'],
          ],
        );
      });

      it('gets 11 when changing a shared folder or putting things into it, 10 for the rest', async () => {
        for (const id of [o.team, o.teamSub]) {
          assert.equal(await code(member.client, 'folders.setInfo', { folder_id: id, name: 'mine' }), 11);
          assert.equal(await code(member.client, 'folders.delete', { folder_id: id }), 11);
          assert.equal(await code(member.client, 'folders.move', { folder_id: id, parent_folder_id: '0' }), 11);
          assert.equal(await code(member.client, 'folders.create', { name: 'sneaky', parent_folder_id: id }), 11);
          assert.equal(await code(member.client, 'folders.move', { folder_id: memberFolder, parent_folder_id: id }), 11);
          assert.equal(await code(member.client, 'folders.setInfo', { folder_id: memberFolder, parent_folder_id: id }), 11);
          assert.equal(await code(member.client, 'files.moveToFolder', { file_id: memberFile.id, folder_id: id }), 11);
          assert.equal(await code(member.client, 'files.setInfo', { file_id: memberFile.id, folder_id: id }), 11);
        }
        assert.equal(await code(member.client, 'folders.setInfo', { folder_id: o.priv, name: 'x' }), 10);
        assert.equal(await code(member.client, 'folders.delete', { folder_id: o.priv }), 10);
        assert.equal(await code(member.client, 'folders.move', { folder_id: o.priv, parent_folder_id: '0' }), 10);
        assert.equal(await code(member.client, 'folders.sendMail', { folder_id: o.priv, emails: 'x@example.com' }), 10);
        await assertOwnerUntouched();
      });

      it('may mail a shared public folder’s page; a private shared one answers 33', async () => {
        const start = smtp.messages.length;
        const r = await member.client.call('folders.sendMail', { folder_id: o.team, emails: 'colleague@example.com' });
        assert.equal(r.status, 'ok', r.xml);
        await smtp.waitFor(start + 1);
        assert.equal(await code(member.client, 'folders.sendMail', { folder_id: o.teamSub, emails: 'colleague@example.com' }), 33);
      });

      it('loses sight of everything once removed from the team', async () => {
        await server.ctx.teams.removeMember(await userRow(server, owner.id), await userRow(server, member.id));
        try {
          assert.equal(await code(member.client, 'files.getInfo', { file_id: o.teamRootFile.id }), 9);
          assert.equal(await code(member.client, 'folders.getInfo', { folder_id: o.team }), 10);
          assert.deepEqual(
            folders((await member.client.call('folders.getAll')).body).map((f) => f.id),
            ['0', memberFolder],
          );
        } finally {
          await server.ctx.teams.addMember(await userRow(server, owner.id), await userRow(server, member.id));
        }
      });
    });

    describe('the owner', () => {
      it('stops sharing a folder with the team, and the team mate no longer sees it', async () => {
        assert.equal((await owner.client.call('folders.setInfo', { folder_id: o.team, business_shared: 0 })).status, 'ok');
        try {
          assert.equal(await code(member.client, 'folders.getInfo', { folder_id: o.team }), 10);
          assert.equal(await code(member.client, 'files.getInfo', { file_id: o.teamNestedFile.id }), 9);
          assert.equal(
            (await member.client.call('files.getInfo', { file_id: o.teamRootFile.id })).status,
            'ok',
            'the shared root file still is',
          );
        } finally {
          await owner.client.call('folders.setInfo', { folder_id: o.team, business_shared: 1 });
        }
      });
    });

    it('every files.* and folders.* method answers 6 once the session is gone', async () => {
      const gone = await server.userClient();
      await gone.client.call('auth.logout');
      const f = o.rootFile.id;
      const calls: [string, Record<string, string>][] = [
        ['files.getInfo', { file_id: f }],
        ['files.setInfo', { file_id: f, name: 'x' }],
        ['files.moveToFolder', { file_id: f, folder_id: '0' }],
        ['files.delete', { file_id: f }],
        ['files.sendMail', { file_id: f, emails: 'x@example.com' }],
        ['folders.getInfo', { folder_id: o.team }],
        ['folders.create', { name: 'x' }],
        ['folders.setInfo', { folder_id: o.team, name: 'x' }],
        ['folders.delete', { folder_id: o.team }],
        ['folders.getContents', { folder_id: '0' }],
        ['folders.getShared', { folder_id: o.priv }],
        ['folders.getAll', {}],
        ['folders.move', { folder_id: o.team, parent_folder_id: '0' }],
        ['folders.sendMail', { folder_id: o.team, emails: 'x@example.com' }],
      ];
      for (const [method, params] of calls) assert.equal(await code(gone.client, method, params), 6, method);
      await assertOwnerUntouched();
    });
  });
}
