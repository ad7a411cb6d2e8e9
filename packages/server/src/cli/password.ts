/**
 * Where an admin command gets a password: a hidden prompt on a terminal, one line of
 * standard input (--password-stdin), or, with a warning, --password on the command line
 * (it shows in `ps` and the shell history; kept for existing scripts).
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface PasswordSource {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  /** Where the prompt goes (stderr, so stdout stays the command's answer). */
  prompt: Writable;
}

export class PasswordInputError extends Error {}

/** The first line of `stream`, without its line ending; rejects on an empty input. */
export async function readLine(stream: Readable): Promise<string> {
  let data = '';
  for await (const chunk of stream) {
    data += String(chunk);
    if (data.includes('\n') || data.length > 4096) break;
  }
  const line = data.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new PasswordInputError('no password on standard input');
  return line;
}

/** Asks on the terminal without echoing what is typed. */
function ask(source: PasswordSource, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: source.stdin, output: source.prompt, terminal: true });
    // readline echoes through _writeToOutput: print the question, swallow the keystrokes.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        source.prompt.write(s);
      }
    };
    rl.question(question, (answer) => {
      source.prompt.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new PasswordInputError('cancelled'));
    });
  });
}

export async function obtainPassword(
  source: PasswordSource | undefined,
  opts: { fromStdin: boolean; given: string | undefined; warn: (s: string) => void },
): Promise<string> {
  if (opts.given !== undefined && opts.fromStdin) throw new PasswordInputError('use either --password or --password-stdin, not both');
  if (opts.given !== undefined) {
    opts.warn('warning: --password is visible to other users in the process list and stays in shell history; use --password-stdin');
    return opts.given;
  }
  if (!source) throw new PasswordInputError('no standard input to read the password from');
  if (opts.fromStdin) return readLine(source.stdin);
  if (!source.stdin.isTTY) throw new PasswordInputError('no terminal to ask for the password on: pipe it in with --password-stdin');
  const first = await ask(source, 'New password: ');
  const second = await ask(source, 'Repeat it: ');
  if (first !== second) throw new PasswordInputError('the two passwords differ');
  if (first === '') throw new PasswordInputError('the password is empty');
  return first;
}
