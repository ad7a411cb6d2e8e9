// addressbook.*: every success path and every spec error, through HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiResult, SendspaceClient } from '@sendbay/client';
import { storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

type Contact = { email: string; name: string; description: string; type: string };
const contacts = (r: ApiResult): Contact[] => (r.body.contact as Contact[] | undefined) ?? [];

for (const database of testDatabases) {
  describe(`addressbook methods (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;

    before(async () => {
      // lite: 3 contacts, so the limit is easy to reach; max: unlimited.
      server = await startTestServer({ database, env: { SENDBAY_PLAN_LITE_CONTACTS: '3', SENDBAY_PLAN_MAX_CONTACTS: '-1' } });
    });
    after(async () => {
      await server.stop();
    });

    const proUser = async () => (await server.userClient({ plan: 'pro' })).client;
    const list = async (c: SendspaceClient) => {
      const r = await c.call('addressbook.list');
      assert.equal(r.status, 'ok', r.xml);
      return contacts(r);
    };

    describe('addressbook.list', () => {
      it('is empty for a new account', async () => {
        const c = await proUser();
        const r = await c.call('addressbook.list');
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(contacts(r), []);
      });

      it('lists every contact by address with the attributes in the spec order', async () => {
        const c = await proUser();
        for (const email of ['carol@example.com', 'alice@example.com', 'bob@example.com'])
          assert.equal((await c.call('addressbook.add', { email, name: `N ${email[0]}`, description: 'd' })).status, 'ok');
        const r = await c.call('addressbook.list');
        assert.deepEqual(
          contacts(r).map((x) => x.email),
          ['alice@example.com', 'bob@example.com', 'carol@example.com'],
        );
        assert.match(r.xml, /<contact email="alice@example\.com" name="N a" description="d" type="0"\/>/);
      });

      it('answers 6 for an unknown session and 3 without one', async () => {
        const bad = await server.client().call('addressbook.list', { session_key: 'x'.repeat(32) });
        assert.equal(bad.status, 'fail');
        assert.equal(bad.error?.code, 6);
        assert.equal((await server.client().call('addressbook.list')).error?.code, 3);
      });
    });

    describe('addressbook.add', () => {
      it('returns the new contact, address lowercased, type 0 by default', async () => {
        const c = await proUser();
        const r = await c.call('addressbook.add', { email: ' Dora@Example.COM ', name: 'Dora <D&D> "E"', description: 'friend' });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(contacts(r), [{ email: 'dora@example.com', name: 'Dora <D&D> "E"', description: 'friend', type: '0' }]);
        assert.match(r.xml, /name="Dora &lt;D&amp;D&gt; &quot;E&quot;"/, 'text is escaped');
        assert.deepEqual(await list(c), contacts(r));
      });

      it('takes type 1 (collected) and leaves name and description empty when not sent', async () => {
        const c = await proUser();
        const r = await c.call('addressbook.add', { email: 'eve@example.com', type: 1 });
        assert.deepEqual(contacts(r), [{ email: 'eve@example.com', name: '', description: '', type: '1' }]);
      });

      it('answers 28 for an address already in the book, in any case', async () => {
        const c = await proUser();
        assert.equal((await c.call('addressbook.add', { email: 'frank@example.com', name: 'first' })).status, 'ok');
        const r = await c.call('addressbook.add', { email: 'FRANK@example.com', name: 'second' });
        assert.equal(r.status, 'fail');
        assert.equal(r.error?.code, 28);
        assert.deepEqual(
          (await list(c)).map((x) => x.name),
          ['first'],
          'the first contact is kept unchanged',
        );
      });

      it('answers 24 for an invalid address and 4 for a missing one', async () => {
        const c = await proUser();
        assert.equal((await c.call('addressbook.add', { email: 'not-an-address' })).error?.code, 24);
        assert.equal((await c.call('addressbook.add', { name: 'x' })).error?.code, 4);
        assert.equal((await c.call('addressbook.add', { email: '' })).error?.code, 4);
        assert.deepEqual(await list(c), []);
      });

      it("answers 32 once the plan's contact limit is reached", async () => {
        const { client: c } = await server.userClient({ plan: 'lite' });
        for (const n of [1, 2, 3]) assert.equal((await c.call('addressbook.add', { email: `l${n}@example.com` })).status, 'ok');
        const r = await c.call('addressbook.add', { email: 'l4@example.com' });
        assert.equal(r.status, 'fail');
        assert.equal(r.error?.code, 32);
        assert.equal((await list(c)).length, 3);
        // Freeing a slot makes room again.
        assert.equal((await c.call('addressbook.delete', { email: 'l1@example.com' })).status, 'ok');
        assert.equal((await c.call('addressbook.add', { email: 'l4@example.com' })).status, 'ok');
      });

      it('never goes over the limit when many adds arrive at once', async () => {
        const { client: c } = await server.userClient({ plan: 'lite' });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => c.call('addressbook.add', { email: `race${i}@example.com` })),
        );
        assert.equal(results.filter((r) => r.status === 'ok').length, 3);
        assert.ok(results.filter((r) => r.status === 'fail').every((r) => r.error?.code === 32));
        assert.equal((await list(c)).length, 3);
      });

      it('never goes over the limit when the domain is called many times at once', async () => {
        const { client: c, email } = await server.userClient({ plan: 'lite' });
        const owner = await server.ctx.accounts.find(email);
        assert.ok(owner);
        const settled = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => server.ctx.contacts.add(owner, { email: `burst${i}@example.com` })),
        );
        assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 3);
        assert.equal((await list(c)).length, 3);
      });

      it('has no limit on a plan configured with -1', async () => {
        const { client: c } = await server.userClient({ plan: 'max' });
        for (let n = 0; n < 5; n++) assert.equal((await c.call('addressbook.add', { email: `m${n}@example.com` })).status, 'ok');
        assert.equal((await list(c)).length, 5);
      });
    });

    describe('addressbook.update', () => {
      let c: SendspaceClient;
      before(async () => {
        c = await proUser();
        await c.call('addressbook.add', { email: 'gina@example.com', name: 'Gina', description: 'colleague' });
      });

      it('changes only the fields sent and returns the current contact', async () => {
        const r = await c.call('addressbook.update', { email: 'GINA@example.com', name: 'Gina G' });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(contacts(r), [{ email: 'gina@example.com', name: 'Gina G', description: 'colleague', type: '0' }]);
        assert.deepEqual(await list(c), contacts(r));
      });

      it('clears a field sent empty and changes the type', async () => {
        const r = await c.call('addressbook.update', { email: 'gina@example.com', description: '', type: 1 });
        assert.deepEqual(contacts(r), [{ email: 'gina@example.com', name: 'Gina G', description: '', type: '1' }]);
        const back = await c.call('addressbook.update', { email: 'gina@example.com', type: '' });
        assert.equal(contacts(back)[0]?.type, '0', 'an empty type goes back to the default');
      });

      it('returns the contact unchanged when nothing but the address is sent', async () => {
        const r = await c.call('addressbook.update', { email: 'gina@example.com' });
        assert.deepEqual(contacts(r), [{ email: 'gina@example.com', name: 'Gina G', description: '', type: '0' }]);
      });

      it('answers 29 for an address not in the book, 24 for an invalid one, 21 for a bad type', async () => {
        const r = await c.call('addressbook.update', { email: 'nobody@example.com', name: 'x' });
        assert.equal(r.status, 'fail');
        assert.equal(r.error?.code, 29);
        assert.equal((await c.call('addressbook.update', { email: 'nope', name: 'x' })).error?.code, 24);
        assert.equal((await c.call('addressbook.update', { email: 'gina@example.com', type: 2 })).error?.code, 21);
        assert.equal((await c.call('addressbook.update', {})).error?.code, 4);
      });
    });

    describe('addressbook.delete', () => {
      it('deletes one contact and answers its address', async () => {
        const c = await proUser();
        await c.call('addressbook.add', { email: 'hal@example.com' });
        const r = await c.call('addressbook.delete', { email: 'HAL@example.com' });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.email, 'hal@example.com');
        assert.equal(r.errors.length, 0);
        assert.deepEqual(await list(c), []);
      });

      it('deletes a comma list and answers the deleted addresses as a comma list', async () => {
        const c = await proUser();
        for (const email of ['i1@example.com', 'i2@example.com', 'i3@example.com']) await c.call('addressbook.add', { email });
        const r = await c.call('addressbook.delete', { email: 'i1@example.com,i3@example.com' });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.email, 'i1@example.com,i3@example.com');
        assert.deepEqual(
          (await list(c)).map((x) => x.email),
          ['i2@example.com'],
        );
      });

      it('deletes those that exist and names the missing ones in an error 29 (mixed answer)', async () => {
        const c = await proUser();
        await c.call('addressbook.add', { email: 'j1@example.com' });
        const r = await c.call('addressbook.delete', { email: 'j1@example.com,j2@example.com' });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.email, 'j1@example.com');
        assert.deepEqual(r.errors, [{ code: 29, text: "Contact doesn't exist", id: 'j2@example.com' }]);
        assert.match(r.xml, /<email>j1@example\.com<\/email>\s*<error code="29"/, 'the payload comes first');
        assert.deepEqual(await list(c), []);
      });

      it('answers 29 when none of the addresses exist', async () => {
        const c = await proUser();
        const r = await c.call('addressbook.delete', { email: 'k1@example.com,k2@example.com' });
        assert.equal(r.status, 'fail');
        assert.equal(r.error?.code, 29);
        assert.equal(r.errors[0]?.id, 'k1@example.com,k2@example.com', 'the error names the addresses');
      });

      it('answers 24 for an invalid address, 4 for none, 6 for a bad session', async () => {
        const c = await proUser();
        await c.call('addressbook.add', { email: 'l@example.com' });
        assert.equal((await c.call('addressbook.delete', { email: 'l@example.com,bad' })).error?.code, 24);
        assert.equal((await list(c)).length, 1, 'nothing is deleted when one address is invalid');
        assert.equal((await c.call('addressbook.delete', {})).error?.code, 4);
        assert.equal((await c.call('addressbook.delete', { email: 'l@example.com', session_key: 'y'.repeat(32) })).error?.code, 6);
      });
    });

    describe('one address book per user', () => {
      it("never shows, changes or deletes another user's contacts", async () => {
        const a = await proUser();
        const b = await proUser();
        await a.call('addressbook.add', { email: 'shared@example.com', name: 'from A' });
        assert.deepEqual(await list(b), []);
        assert.equal((await b.call('addressbook.update', { email: 'shared@example.com', name: 'hacked' })).error?.code, 29);
        assert.equal((await b.call('addressbook.delete', { email: 'shared@example.com' })).error?.code, 29);
        assert.equal((await b.call('addressbook.add', { email: 'shared@example.com', name: 'from B' })).status, 'ok');
        assert.deepEqual(
          (await list(a)).map((x) => x.name),
          ['from A'],
        );
        assert.deepEqual(
          (await list(b)).map((x) => x.name),
          ['from B'],
        );
      });
    });

    describe('collected contacts', () => {
      it('are the recipients of files.sendMail', async () => {
        const { client: c, id } = await server.userClient({ plan: 'pro' });
        await c.call('addressbook.add', { email: 'friend@example.com', name: 'Friend' });
        const file = await storeTestFile(server.ctx, { ownerId: id });
        const sent = await c.call('files.sendMail', { file_id: file.id, emails: 'Friend@example.com,Stranger@Example.com' });
        assert.equal(sent.status, 'ok', sent.xml);
        assert.deepEqual(await list(c), [
          { email: 'friend@example.com', name: 'Friend', description: '', type: '0' },
          { email: 'stranger@example.com', name: '', description: '', type: '1' },
        ]);
      });

      it('never make files.sendMail fail when the book is full', async () => {
        const { client: c, id } = await server.userClient({ plan: 'lite' });
        for (const n of [1, 2, 3]) await c.call('addressbook.add', { email: `full${n}@example.com` });
        const file = await storeTestFile(server.ctx, { ownerId: id });
        const sent = await c.call('files.sendMail', { file_id: file.id, emails: 'one.more@example.com' });
        assert.equal(sent.status, 'ok', sent.xml);
        assert.deepEqual(
          (await list(c)).map((x) => x.email),
          ['full1@example.com', 'full2@example.com', 'full3@example.com'],
        );
      });

      it('join the book as type 1 without replacing a contact the user added', async () => {
        const { client: c, id } = await server.userClient({ plan: 'pro' });
        await c.call('addressbook.add', { email: 'kept@example.com', name: 'Mine', description: 'added by hand' });
        await server.ctx.contacts.collect(id, ['Kept@Example.com', 'New@Example.com', 'new@example.com']);
        assert.deepEqual(await list(c), [
          { email: 'kept@example.com', name: 'Mine', description: 'added by hand', type: '0' },
          { email: 'new@example.com', name: '', description: '', type: '1' },
        ]);
        const again = await c.call('addressbook.add', { email: 'new@example.com' });
        assert.equal(again.error?.code, 28, 'a collected address is a contact like any other');
      });

      it("stop quietly at the plan's limit", async () => {
        const { client: c, id } = await server.userClient({ plan: 'lite' });
        await c.call('addressbook.add', { email: 'own@example.com' });
        await server.ctx.contacts.collect(id, ['c1@example.com', 'c2@example.com', 'c3@example.com', 'c4@example.com']);
        const book = await list(c);
        assert.equal(book.length, 3);
        assert.deepEqual(
          book.filter((x) => x.type === '1').map((x) => x.email),
          ['c1@example.com', 'c2@example.com'],
        );
        await server.ctx.contacts.collect(id, ['c5@example.com']);
        assert.equal((await list(c)).length, 3, 'a full book is left as it is, without an error');
      });
    });
  });
}
