/** What a command may use of the outside world; tests pass their own. */
import type { PasswordSource } from './password.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** For password prompts and --password-stdin. */
  input?: PasswordSource;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  input: { stdin: process.stdin, prompt: process.stderr },
};

/** Wrong usage: exit 2 with the command's synopsis. */
export class UsageError extends Error {}
/** The command could not do what was asked: exit 1 with this message. */
export class AdminError extends Error {}
