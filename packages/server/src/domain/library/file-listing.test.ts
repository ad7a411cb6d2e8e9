// Keyset pages of the web file manager over 100,000 files: every order visits every file
// exactly once, forwards and backwards, and SQLite walks an index rather than sorting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { insertBulkFiles } from '../../testing/bulk-files.js';
import { WebAgent } from '../../testing/web-agent.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import { FilePagesRepository } from '../../metadata/repositories/file-pages.js';
import type { FileRow } from '../../metadata/repositories/files.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, type FileSort } from './file-listing.js';

const COUNT = 100_000;
const PAGE = 50;

for (const database of testDatabases) {
  describe(`file listing pages over ${COUNT} files (${database})`, () => {
    let server: TestServer;
    let owner: UserRow;
    let ids: string[];

    before(async () => {
      server = await startTestServer({ database });
      owner = await server.ctx.accounts.create({ email: 'many@example.com', password: 'pw-many' });
      // Names, sizes and dates repeat (every 1,000 / 997 / 991 files), so ties are
      // broken by id and must still be paged correctly.
      ids = await insertBulkFiles(server, owner.id, '0', COUNT, (i) => ({
        name: `file ${String(i % 1000).padStart(4, '0')}.bin`,
        size: (i * 7919) % 997,
        uploadTime: 1_700_000_000 + ((i * 31) % 991),
      }));
    });
    after(() => server?.stop());

    /** Every page of an order through the domain (cursors, views), in the given direction. */
    async function walk(sort: FileSort, descending: boolean, side: 'next' | 'previous', start?: string, pageSize = PAGE) {
      const seen: { id: string; key: string | number }[] = [];
      let cursor = start;
      let pages = 0;
      for (;;) {
        const page = await server.ctx.fileListing.folderPage(owner, { folderId: '0', sort, descending, cursor, pageSize });
        assert.ok(page.files.length <= pageSize);
        const keys = page.files.map((f) => ({ id: f.id, key: sort === 'name' ? f.name : sort === 'size' ? f.size : f.uploadTime }));
        if (side === 'next') seen.push(...keys);
        else seen.unshift(...keys);
        pages++;
        cursor = side === 'next' ? page.next : page.previous;
        if (!cursor) break;
        assert.ok(pages <= COUNT / pageSize + 1, 'the walk ends');
      }
      return { seen, pages };
    }

    function assertOrdered(seen: { id: string; key: string | number }[], descending: boolean) {
      assert.equal(seen.length, COUNT, 'every file once');
      assert.equal(new Set(seen.map((s) => s.id)).size, COUNT, 'no file twice');
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1]!;
        const b = seen[i]!;
        const cmp = a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1;
        assert.equal(cmp, descending ? 1 : -1, `in order at ${i}: ${JSON.stringify(a)} then ${JSON.stringify(b)}`);
      }
    }

    // The repository's keyset queries over the whole folder, every order and direction
    // (1,000 rows a page: the domain adds only the cursors and views tested below).
    const COLUMN = { name: 'name', size: 'size', date: 'upload_time' } as const;
    for (const sort of ['name', 'size', 'date'] as const) {
      for (const descending of [false, true]) {
        it(`by ${sort}${descending ? ', descending' : ''}: keyset pages after and before a row visit every file once, in order`, async () => {
          const pagesRepo = new FilePagesRepository(server.ctx.db);
          const keyOf = (r: FileRow) => ({ id: r.id, key: r[COLUMN[sort]] });
          const forward: { id: string; key: string | number }[] = [];
          let afterKey: { value: string | number; id: string } | undefined;
          for (;;) {
            const rows = await pagesRepo.page({ ownerId: owner.id, folderId: '0', sort, descending, after: afterKey, limit: 1000 });
            forward.push(...rows.map(keyOf));
            if (rows.length < 1000) break;
            const last = rows[rows.length - 1]!;
            afterKey = { value: last[COLUMN[sort]], id: last.id };
          }
          assertOrdered(forward, descending);
          assert.deepEqual(new Set(forward.map((s) => s.id)), new Set(ids));
          // Backwards too, for one direction of each order (the other mirrors it).
          if (descending !== (sort === 'name')) return;

          const backward: { id: string; key: string | number }[] = [];
          const end = forward[forward.length - 1]!;
          let beforeKey: { value: string | number; id: string } | undefined = { value: end.key, id: end.id };
          for (;;) {
            const rows = await pagesRepo.page({ ownerId: owner.id, folderId: '0', sort, descending, before: beforeKey, limit: 1000 });
            backward.unshift(...rows.map(keyOf));
            if (rows.length < 1000) break;
            const first = rows[0]!;
            beforeKey = { value: first[COLUMN[sort]], id: first.id };
          }
          assert.deepEqual([...backward, end], forward);
        });
      }
    }

    it('next links walk all 100,000 files by name through the domain', async () => {
      const forward = await walk('name', false, 'next', undefined, MAX_PAGE_SIZE);
      assertOrdered(forward.seen, false);
      assert.equal(forward.pages, COUNT / MAX_PAGE_SIZE);
    });

    it('previous links from past the end walk back through the last pages', async () => {
      const q = { folderId: '0', sort: 'date' as const, descending: true, pageSize: 100 };
      const last = await server.ctx.fileListing.folderPage(owner, {
        ...q,
        cursor: encodeCursor({ sort: 'date', descending: true, side: 'b', key: { value: 0, id: '000000' } }),
      });
      assert.equal(last.files.length, 100);
      const beyond = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: last.next });
      assert.deepEqual(beyond.files, [], 'nothing after the last page');
      const before = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: last.previous });
      const after = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: before.next });
      assert.deepEqual(
        after.files.map((f) => f.id),
        last.files.map((f) => f.id),
      );
      const oldest = Math.min(...last.files.map((f) => f.uploadTime));
      assert.equal(oldest, 1_700_000_000, 'the last page holds the oldest files');
    });

    it('next and previous cursors agree page by page, in every order', async () => {
      for (const sort of ['name', 'size', 'date'] as const) {
        for (const descending of [false, true]) {
          const q = { folderId: '0', sort, descending, pageSize: 50 };
          const p1 = await server.ctx.fileListing.folderPage(owner, q);
          assert.equal(p1.previous, undefined, 'page 1 has no previous page');
          const p2 = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: p1.next });
          const p3 = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: p2.next });
          const back2 = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: p3.previous });
          const back1 = await server.ctx.fileListing.folderPage(owner, { ...q, cursor: back2.previous });
          assert.deepEqual(
            back2.files.map((f) => f.id),
            p2.files.map((f) => f.id),
          );
          assert.deepEqual(
            back1.files.map((f) => f.id),
            p1.files.map((f) => f.id),
          );
          assert.equal(back1.previous, undefined, 'back at page 1');
          assert.ok(back1.next);
          const ids1 = new Set(p1.files.map((f) => f.id));
          assert.ok(
            p2.files.every((f) => !ids1.has(f.id)),
            'pages do not overlap',
          );
        }
      }
    });

    it('a search by name pages across the account, case-insensitively, with % and _ matched literally', async () => {
      const found: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await server.ctx.fileListing.search(owner, 'FILE 0042', { descending: false, cursor, pageSize: 30 });
        found.push(...page.files.map((f) => f.name));
        cursor = page.next;
      } while (cursor);
      assert.equal(found.length, COUNT / 1000);
      assert.ok(found.every((n) => n === 'file 0042.bin'));
      assert.equal((await server.ctx.fileListing.search(owner, '%', { descending: false, pageSize: 10 })).files.length, 0);
      assert.equal((await server.ctx.fileListing.search(owner, 'file_0', { descending: false, pageSize: 10 })).files.length, 0);
    });

    it('a cursor made for another order, or a forged one, starts at page 1', async () => {
      const first = await server.ctx.fileListing.folderPage(owner, { folderId: '0', sort: 'name', descending: false, pageSize: 5 });
      const nameCursor = first.next!;
      assert.equal(decodeCursor(nameCursor, 'size', false), undefined);
      for (const bad of [nameCursor.slice(0, -3), 'not-base64!', Buffer.from('[1,2,3]').toString('base64url')]) {
        const page = await server.ctx.fileListing.folderPage(owner, {
          folderId: '0',
          sort: 'size',
          descending: false,
          cursor: bad,
          pageSize: 5,
        });
        const p1 = await server.ctx.fileListing.folderPage(owner, { folderId: '0', sort: 'size', descending: false, pageSize: 5 });
        assert.deepEqual(
          page.files.map((f) => f.id),
          p1.files.map((f) => f.id),
        );
        assert.equal(page.previous, undefined);
      }
    });

    it("another user's folder is unknown, and their files never show", async () => {
      const other = await server.ctx.accounts.create({ email: 'other@example.com', password: 'pw-other' });
      const folder = await server.ctx.libraryFolders.create(owner, { name: 'Private' });
      await assert.rejects(
        server.ctx.fileListing.folderPage(other, { folderId: folder.id, sort: 'name', descending: false, pageSize: 5 }),
        (err: { code?: number }) => err.code === 10,
      );
      const root = await server.ctx.fileListing.folderPage(other, { folderId: '0', sort: 'name', descending: false, pageSize: 5 });
      assert.equal(root.files.length, 0);
      assert.equal((await server.ctx.fileListing.search(other, 'file', { descending: false, pageSize: 5 })).files.length, 0);
    });

    it('/files pages through the 100,000 files over HTTP: 50 a page, next and previous links, sort links', async () => {
      const web = new WebAgent(server.url);
      await web.get('/login');
      assert.equal((await web.post('/login', { email: 'many@example.com', password: 'pw-many' })).status, 303);
      const names = (text: string) => [...text.matchAll(/href="\/files\/file\/([a-z0-9]{6})"/g)].map((x) => x[1]!);
      const nextOf = (text: string) => /href="([^"]+)" rel="next"/.exec(text)?.[1]?.replace(/&amp;/g, '&');
      const prevOf = (text: string) => /href="([^"]+)" rel="prev"/.exec(text)?.[1]?.replace(/&amp;/g, '&');

      const p1 = await web.get('/files?sort=size&order=desc');
      assert.equal(p1.status, 200);
      const ids1 = names(p1.text);
      assert.equal(ids1.length, 50);
      assert.equal(prevOf(p1.text), undefined);
      let page = p1;
      const pages = [ids1];
      for (let i = 0; i < 5; i++) {
        page = await web.get(nextOf(page.text)!);
        pages.push(names(page.text));
      }
      // The first 300 files of the order, in order, with no gap or repeat between pages.
      const q = { folderId: '0', sort: 'size' as const, descending: true };
      const first200 = await server.ctx.fileListing.folderPage(owner, { ...q, pageSize: 200 });
      const next100 = await server.ctx.fileListing.folderPage(owner, { ...q, pageSize: 100, cursor: first200.next });
      assert.deepEqual(
        pages.flat(),
        [...first200.files, ...next100.files].map((f) => f.id),
      );
      // Back one page from page 6 is page 5, exactly.
      const p5 = await web.get(prevOf(page.text)!);
      assert.deepEqual(names(p5.text), pages[4]);
      // The largest files come first.
      const sizes = (await server.ctx.fileListing.folderPage(owner, { folderId: '0', sort: 'size', descending: true, pageSize: 1 })).files;
      assert.equal(sizes[0]!.size, 996);
    });

    if (database === 'sqlite') {
      it('SQLite answers every order from an index, without sorting the folder', async () => {
        const orders = [
          ['name', 'files_owner_folder_name'],
          ['size', 'files_owner_folder_size'],
          ['upload_time', 'files_owner_folder_time'],
        ] as const;
        for (const [col, index] of orders) {
          for (const dir of ['asc', 'desc'] as const) {
            const cmp = dir === 'asc' ? '>' : '<';
            const plan = await sql<{ detail: string }>`explain query plan
              select * from files where owner_id = ${owner.id} and folder_id = '0'
              and (${sql.ref(col)}, id) ${sql.raw(cmp)} (${col === 'name' ? 'file' : 5}, 'aaaaaa')
              order by ${sql.ref(col)} ${sql.raw(dir)}, id ${sql.raw(dir)} limit 201`.execute(server.ctx.db);
            const detail = plan.rows.map((r) => r.detail).join(' | ');
            assert.match(detail, new RegExp(`USING INDEX ${index}`), detail);
            assert.doesNotMatch(detail, /TEMP B-TREE/, detail);
          }
        }
      });
    }
  });
}
