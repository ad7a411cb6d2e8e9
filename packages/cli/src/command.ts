/** A sbay command: its options (node:util parseArgs), help text and what it does. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Ctx } from './context.js';
import { UsageError } from './exit-codes.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** `sbay upload FILE... [options]` */
  usage: string;
  /** Option lines for the help, already formatted. */
  help: string;
  options: Options;
  run(ctx: Ctx, values: Values, positionals: string[]): Promise<number | void>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Options = {
  server: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `Global options:
  --server URL   the server (default: the one you logged in to; or $SBAY_SERVER)
  --json         machine-readable output on stdout
  -h, --help     this help`;

export function parse(cmd: Command, argv: string[]): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see sbay ${cmd.name} --help)`);
  }
}

export function helpOf(cmd: Command): string {
  return `Usage: ${cmd.usage}\n\n${cmd.summary}\n${cmd.help ? `\nOptions:\n${cmd.help}\n` : ''}\n${GLOBAL_HELP}\n`;
}

export function str(v: Values[string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function need(positionals: string[], min: number, cmd: Command, what: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${what} (usage: ${cmd.usage})`);
}
