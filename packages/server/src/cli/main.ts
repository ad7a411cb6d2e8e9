/**
 * The admin command line: `sendbay serve`, account, API key and team tools that work
 * directly on the configured database, `doctor`, and the data-safety commands.
 * Exit codes: 0 ok, 1 failed, 2 usage. `--help` on any command prints its help.
 */
import pino from 'pino';
import { ConfigError, parseConfig } from '../config.js';
import { RegistrationError } from '../domain/accounts.js';
import { TeamError } from '../domain/teams.js';
import { downloadPath } from '../http/socket-sendfile.js';
import { startServer } from '../server.js';
import { runAdmin } from './admin.js';
import { commandHelp, findCommand, USAGE } from './commands.js';
import { openContext, requireExistingData } from './data-folder.js';
import { backup, fsck, restore } from './data-safety.js';
import { runDoctor } from './doctor.js';
import { AdminError, stdio, UsageError, type Io } from './io.js';

export async function main(argv: string[], io: Io = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const [first, second] = argv;
    if (!first) {
      io.err(USAGE);
      return 2;
    }
    if (first === 'help' || first === '--help' || first === '-h') {
      const named = second ? (findCommand(argv.slice(1, 3).join(' ')) ?? findCommand(second)) : undefined;
      io.out(named ? commandHelp(named) : USAGE);
      return 0;
    }
    // Checked before anything is opened: a typo must not create ./data on the way.
    const command = findCommand(`${first} ${second ?? ''}`.trim()) ?? findCommand(first);
    if (!command) throw new UsageError(`unknown command "${`${first} ${second ?? ''}`.trim()}"`);
    const rest = argv.slice(command.name.split(' ').length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandHelp(command));
      return 0;
    }
    if (command.name === 'serve') return await serve(env, io);
    const config = parseConfig({ ...env, SENDBAY_LOG_LEVEL: env.SENDBAY_LOG_LEVEL ?? 'warn' });
    if (command.name === 'doctor') return await runDoctor(config, io);
    if (command.name === 'restore') return await restore(config, rest, io);
    if (command.needsData) requireExistingData(config);
    if (command.name === 'backup') return await backup(config, rest, io);
    const ctx = await openContext(config);
    try {
      if (command.name === 'fsck') return await fsck(ctx, rest, io);
      await runAdmin(ctx, command.name, rest, io);
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

async function serve(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const config = parseConfig(env);
  const server = await startServer(config);
  const downloads = downloadPath(config.sendfile);
  // The start-up line is written whatever SENDBAY_LOG_LEVEL says (tools and people wait
  // for it), and as JSON like every other line.
  pino({ level: 'info' }, { write: (line: string) => io.out(line.trimEnd()) }).info(
    { url: config.publicUrl, listen: server.url, database: config.database.kind, blobs: config.blobs.kind, downloads: downloads.path },
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
