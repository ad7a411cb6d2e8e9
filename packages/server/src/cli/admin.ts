/**
 * The account, API key and team commands: they work directly on the configured
 * database, through the same domain services the server uses.
 */
import { parseArgs } from 'node:util';
import { PLAN_NAMES, type PlanName } from '../config.js';
import type { AppContext } from '../context.js';
import { AdminError, UsageError, type Io } from './io.js';
import { obtainPassword, PasswordInputError } from './password.js';

/** `--until 2027-01-31` (the end of membership, 00:00 UTC that day) or a full ISO 8601 time. */
function untilDate(v: string): number {
  const day = v.slice(0, 10);
  const shaped = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v);
  // Date.parse is lenient: it reads 2027-02-31 as March 3rd, so the day must survive a round trip.
  const midnight = shaped ? Date.parse(`${day}T00:00:00Z`) : NaN;
  const real = !Number.isNaN(midnight) && new Date(midnight).toISOString().slice(0, 10) === day;
  const t = real ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--until must be a date such as 2027-01-31 (got "${v}")`);
  return Math.floor(t / 1000);
}

/** Parses `--name value` options and `--flag` switches; anything else is a usage error. */
function opts(args: string[], names: string[], flagNames: string[] = []) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
        ...Object.fromEntries(flagNames.map((n) => [n, { type: 'boolean' as const }])),
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values: Record<string, string | undefined> = {};
  const flags: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') values[k] = v;
    else if (v === true) flags[k] = true;
  }
  return { values, flags, positionals: parsed.positionals };
}

function need(v: string | undefined, what: string): string {
  if (v === undefined || v === '') throw new UsageError(`missing ${what}`);
  return v;
}

function plan(v: string): PlanName {
  if (!(PLAN_NAMES as readonly string[]).includes(v)) throw new UsageError(`unknown plan "${v}" (use ${PLAN_NAMES.join(', ')})`);
  return v as PlanName;
}

async function findUser(ctx: AppContext, who: string) {
  const user = await ctx.accounts.find(who);
  if (!user) throw new AdminError(`no such user: ${who}`);
  return user;
}

async function password(io: Io, given: string | undefined, fromStdin: boolean): Promise<string> {
  if (!io.input && given === undefined) throw new UsageError('this command needs a password: give it with --password-stdin');
  try {
    return await obtainPassword(io.input, { fromStdin, given, warn: io.err });
  } catch (err) {
    if (err instanceof PasswordInputError) throw new UsageError(err.message);
    throw err;
  }
}

export async function runAdmin(ctx: AppContext, key: string, rest: string[], io: Io): Promise<void> {
  const sub = key.split(' ')[1];
  switch (key) {
    case 'user add': {
      const { values, flags } = opts(rest, ['email', 'password', 'name', 'plan'], ['password-stdin']);
      const email = need(values.email, '--email');
      const chosenPlan = plan(values.plan ?? 'lite');
      const user = await ctx.accounts.create({
        email,
        password: await password(io, values.password, flags['password-stdin'] === true),
        ...(values.name ? { fullName: values.name } : {}),
        plan: chosenPlan,
      });
      io.out(user.id);
      return;
    }
    case 'user reset-password': {
      const { values, flags, positionals } = opts(rest, ['password'], ['password-stdin']);
      const user = await findUser(ctx, need(positionals[0], 'user'));
      await ctx.accounts.resetPassword(user, await password(io, values.password, flags['password-stdin'] === true));
      io.out(`${user.email}: password changed, sessions ended`);
      return;
    }
    case 'user delete': {
      const { flags, positionals } = opts(rest, [], ['yes']);
      const user = await findUser(ctx, need(positionals[0], 'user'));
      if (!flags.yes) throw new UsageError(`this deletes ${user.email} and every file of it for good: add --yes to confirm`);
      const gone = await ctx.accountDeletion.delete(user);
      io.out(`${user.email}: deleted, with ${gone.files} file(s), ${gone.bytes} bytes`);
      return;
    }
    case 'user list': {
      for (const u of await ctx.accounts.list()) {
        const state = u.disabled ? 'disabled' : u.activated ? 'active' : 'not-activated';
        io.out([u.id, u.email, u.plan, state, u.diskspace_used, u.full_name].join('\t'));
      }
      return;
    }
    case 'user set-plan': {
      const { values, positionals } = opts(rest, ['until']);
      const user = await findUser(ctx, need(positionals[0], 'user'));
      const newPlan = plan(need(positionals[1], 'plan'));
      const until = values.until ? untilDate(values.until) : null;
      await ctx.accounts.setPlan(user, newPlan, until);
      // lite never ends: setPlan drops the date, and so does the message.
      io.out(
        `${user.email}: plan ${newPlan}${until !== null && newPlan !== 'lite' ? ` until ${new Date(until * 1000).toISOString()}` : ''}`,
      );
      return;
    }
    case 'user disable':
    case 'user enable': {
      const { positionals } = opts(rest, []);
      const user = await findUser(ctx, need(positionals[0], 'user'));
      await ctx.accounts.setDisabled(user, sub === 'disable');
      io.out(`${user.email}: ${sub === 'disable' ? 'disabled' : 'enabled'}`);
      return;
    }
    case 'user set-admin': {
      const { positionals, flags } = opts(rest, [], ['off']);
      const user = await findUser(ctx, need(positionals[0], 'user'));
      await ctx.accounts.setAdmin(user, !flags.off);
      io.out(`${user.email}: ${flags.off ? 'no longer an admin' : 'admin'}`);
      return;
    }
    case 'apikey add': {
      const { values } = opts(rest, ['name']);
      io.out(await ctx.apiKeys.add(values.name ?? ''));
      return;
    }
    case 'apikey list': {
      for (const k of await ctx.apiKeys.list())
        io.out([`${k.prefix}…`, k.revoked_at ? 'revoked' : 'active', new Date(k.created_at * 1000).toISOString(), k.name].join('\t'));
      return;
    }
    case 'apikey revoke': {
      const { positionals } = opts(rest, []);
      if (!(await ctx.apiKeys.revoke(need(positionals[0], 'key')))) throw new AdminError(`no active key matches ${positionals[0]}`);
      io.out('revoked');
      return;
    }
    case 'team add-member':
    case 'team remove-member': {
      const { values } = opts(rest, ['owner', 'member']);
      const owner = await findUser(ctx, need(values.owner, '--owner'));
      const member = await findUser(ctx, need(values.member, '--member'));
      if (sub === 'add-member') await ctx.teams.addMember(owner, member);
      else await ctx.teams.removeMember(owner, member);
      io.out(`${member.email} ${sub === 'add-member' ? 'added to' : 'removed from'} ${owner.email}'s team`);
      return;
    }
    case 'team list': {
      for (const t of await ctx.teams.list()) io.out([t.owner, ...t.members].join('\t'));
      return;
    }
    default:
      throw new UsageError(`unknown command "${key}"`);
  }
}
