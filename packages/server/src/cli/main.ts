/**
 * The admin command line: `sendbay serve`, and account, API key and team tools that
 * work directly on the configured database. Exit codes: 0 ok, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, parseConfig, PLAN_NAMES, type PlanName } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { RegistrationError } from '../domain/accounts.js';
import { TeamError } from '../domain/teams.js';
import { downloadPath } from '../http/socket-sendfile.js';
import { startServer } from '../server.js';

const USAGE = `Usage: sendbay <command>

  serve                                     run the server (configured by the environment)
  user add --email E --password P [--name N] [--plan lite|pro|max|business]
  user list
  user set-plan <email|id> <plan> [--until YYYY-MM-DD]
  user disable <email|id>
  user enable <email|id>
  apikey add [--name N]                     prints the new key (shown once)
  apikey list
  apikey revoke <key or 8-character prefix>
  team add-member --owner E --member E      owner must be on the business plan
  team remove-member --owner E --member E
  team list
`;

class UsageError extends Error {}

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

export async function main(argv: string[], io: Out = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [group, sub, ...rest] = argv;
  try {
    if (group === 'serve') return await serve(env, io);
    if (!group) {
      io.err(USAGE);
      return 2;
    }
    if (group === 'help' || group === '--help' || group === '-h') {
      io.out(USAGE);
      return 0;
    }
    // Checked before the database is opened: a typo must not create ./data on the way.
    const command = `${group} ${sub ?? ''}`.trim();
    if (!ADMIN_COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
    const config = parseConfig({ ...env, SENDBAY_LOG_LEVEL: env.SENDBAY_LOG_LEVEL ?? 'warn' });
    const ctx = await createContext(config, { logger: pino({ level: config.logLevel }) });
    try {
      await runAdmin(ctx, group, sub, rest, io);
      return 0;
    } finally {
      await ctx.dispose();
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`sendbay: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof RegistrationError || err instanceof TeamError || err instanceof AdminError) {
      io.err(`sendbay: ${err.message}`);
      return 1;
    }
    io.err(`sendbay: ${(err as Error).message}`);
    return 1;
  }
}

class AdminError extends Error {}

const ADMIN_COMMANDS = [
  'user add',
  'user list',
  'user set-plan',
  'user disable',
  'user enable',
  'apikey add',
  'apikey list',
  'apikey revoke',
  'team add-member',
  'team remove-member',
  'team list',
];

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

function opts(args: string[], names: string[]) {
  try {
    return parseArgs({
      args,
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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

async function runAdmin(ctx: AppContext, group: string, sub: string | undefined, rest: string[], io: Out): Promise<void> {
  const key = `${group} ${sub ?? ''}`.trim();
  switch (key) {
    case 'user add': {
      const { values } = opts(rest, ['email', 'password', 'name', 'plan']);
      const user = await ctx.accounts.create({
        email: need(values.email, '--email'),
        password: need(values.password, '--password'),
        ...(values.name ? { fullName: values.name } : {}),
        plan: plan(values.plan ?? 'lite'),
      });
      io.out(user.id);
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

async function serve(env: NodeJS.ProcessEnv, io: Out): Promise<number> {
  const config = parseConfig(env);
  const server = await startServer(config);
  const downloads = downloadPath(config.sendfile);
  // The start-up line is written whatever SENDBAY_LOG_LEVEL says (tools and people wait
  // for it), and as JSON like every other line.
  pino({ level: 'info' }, { write: (line: string) => io.out(line.trimEnd()) }).info(
    { url: config.publicUrl, listen: server.url, database: config.database.kind, downloads: downloads.path },
    `Sendbay is running at ${config.publicUrl} (listening on ${server.url})`,
  );
  for (const warning of config.warnings) server.ctx.log.warn(warning);
  if (downloads.why && config.sendfile) server.ctx.log.warn(`downloads are copied through user space: ${downloads.why}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      server.ctx.log.info({ signal }, 'shutting down: letting running requests finish');
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await server.close();
  return 0;
}
