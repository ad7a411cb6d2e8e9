/**
 * sbay's dispatcher: finds the command, parses its options, runs it, and turns any
 * failure into one line on stderr and a documented exit code. Never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { helpOf, parse, GLOBAL_HELP, str } from './command.js';
import { COMMANDS } from './commands/index.js';
import { makeCtx } from './context.js';
import { EXIT, EXIT_CODES_HELP, exitCodeOf, messageOf, UsageError } from './exit-codes.js';
import type { Io } from './io.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `sbay: upload, download and manage files on a Sendbay (or any sendspace API 1.2) server.

Usage: sbay COMMAND [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('. ')[0]!.replace(/\.$/, '')}`).join('\n')}

Run sbay COMMAND --help for a command's options.

${GLOBAL_HELP}
  --version      print the version

Environment:
  SBAY_SERVER      server URL when --server is not given
  SBAY_PASSWORD    password for login (and for logging in again when a session expired)
  XDG_CONFIG_HOME  where sendbay/session.json is kept (default ~/.config)

${EXIT_CODES_HELP}
`;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      io.stdout.write(topic ? helpOf(topic) : mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      io.stdout.write(`sbay ${version()}\n`);
      return EXIT.ok;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command ${JSON.stringify(name)} (see sbay --help)`);
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      io.stdout.write(helpOf(cmd));
      return EXIT.ok;
    }
    const ctx = await makeCtx(io, { server: str(values.server), json: values.json === true });
    return (await cmd.run(ctx, values, positionals)) ?? EXIT.ok;
  } catch (err) {
    io.stderr.write(`sbay: ${messageOf(err)}\n`);
    return exitCodeOf(err);
  }
}
