/** sbay contacts: the address book. */
import type { Command } from '../command.js';
import { need, str } from '../command.js';
import { NotFoundError, UsageError } from '../exit-codes.js';
import { table } from '../format.js';

export const contacts: Command = {
  name: 'contacts',
  summary: 'List, add or remove address book entries.',
  usage: 'sbay contacts [list | add EMAIL [--name N] [--description D] | rm EMAIL...]',
  help: `  --name N         name of the contact (add)
  --description D  a note (add)`,
  options: { name: { type: 'string' }, description: { type: 'string' } },
  async run(ctx, v, args) {
    const client = ctx.client({ session: true });
    const sub = args[0] ?? 'list';
    if (sub === 'list' || sub === 'ls') {
      const list = await client.addressbook.list();
      ctx.print(
        list.length ? table([['EMAIL', 'NAME', 'DESCRIPTION'], ...list.map((c) => [c.email, c.name, c.description])]) : '(no contacts)',
        list,
      );
    } else if (sub === 'add') {
      need(args, 2, contacts, 'EMAIL');
      const c = await client.addressbook.add({ email: args[1]!, name: str(v.name), description: str(v.description) });
      ctx.print(`added ${c.email}`, c);
    } else if (sub === 'rm' || sub === 'delete') {
      need(args, 2, contacts, 'EMAIL');
      const r = await client.addressbook.delete(args.slice(1));
      const missing = r.errors.flatMap((e) => e.ids);
      if (missing.length)
        throw new NotFoundError(`no contact ${missing.join(', ')}${r.deleted.length ? ` (deleted ${r.deleted.join(', ')})` : ''}`);
      ctx.print(`deleted ${r.deleted.join(', ')}`, { deleted: r.deleted });
    } else throw new UsageError(`unknown contacts command ${JSON.stringify(sub)} (usage: ${contacts.usage})`);
  },
};
