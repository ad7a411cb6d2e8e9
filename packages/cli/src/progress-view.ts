/**
 * Progress on standard error: on a terminal, one bar per file and a total line,
 * redrawn in place; elsewhere (a log, CI) plain lines at most every few seconds and
 * when a file completes, so logs stay readable.
 */
import type { TransferProgress } from '@sendbay/client';
import { bytes, duration, speed } from './format.js';

const PLAIN_EVERY_MS = 2_000;
const TTY_EVERY_MS = 100;

export interface ProgressView {
  update(p: TransferProgress): void;
  done(): void;
}

function bar(fraction: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

function pct(done: number, total: number | undefined): string {
  return total ? `${String(Math.floor((done * 100) / total)).padStart(3)}%` : '  ?%';
}

export function progressView(
  out: NodeJS.WriteStream,
  names: string[],
  verb: string,
  quiet = false,
  knownSizes: (number | undefined)[] = [],
): ProgressView {
  if (quiet) return { update: () => undefined, done: () => undefined };
  const tty = out.isTTY === true;
  const sizes: (number | undefined)[] = names.map((_, i) => knownSizes[i]);
  const doneBytes: number[] = names.map(() => 0);
  let last: TransferProgress | undefined;
  let lastDraw = 0;
  let printedBytes = -1;
  let drawnLines = 0;
  const reported = new Set<number>();
  const nameWidth = Math.min(30, Math.max(...names.map((n) => n.length)));
  const short = (n: string) => (n.length > nameWidth ? `${n.slice(0, nameWidth - 1)}…` : n.padEnd(nameWidth));

  const draw = () => {
    if (!last) return;
    const lines = names.map((n, i) => {
      const size = sizes[i];
      const frac = size ? doneBytes[i]! / size : 0;
      return `${short(n)} ${bar(frac, 24)} ${pct(doneBytes[i]!, size)} ${bytes(doneBytes[i])}`;
    });
    lines.push(
      `${'total'.padEnd(nameWidth)} ${bar(last.total ? last.bytes / last.total : 0, 24)} ${pct(last.bytes, last.total)} ${bytes(last.bytes)} of ${bytes(last.total)}  ${speed(last.speed)}  ETA ${duration(last.eta)}`,
    );
    const up = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    out.write(up + lines.map((l) => `\r\x1b[2K${l}`).join('\n') + '\n');
    drawnLines = lines.length;
  };

  const plain = (p: TransferProgress, force: boolean) => {
    const now = Date.now();
    const fileDone = p.fileSize !== undefined && p.fileBytes >= p.fileSize && !reported.has(p.file);
    if (!force && !fileDone && now - lastDraw < PLAIN_EVERY_MS) return;
    lastDraw = now;
    if (fileDone) reported.add(p.file);
    if (p.bytes === printedBytes && !fileDone) return;
    printedBytes = p.bytes;
    out.write(
      `${verb} ${names[p.file]}: ${pct(p.fileBytes, p.fileSize).trim()} ${bytes(p.fileBytes)}; total ${pct(p.bytes, p.total).trim()} ${bytes(p.bytes)} of ${bytes(p.total)}, ${speed(p.speed)}, ETA ${duration(p.eta)}\n`,
    );
  };

  return {
    update(p) {
      last = p;
      sizes[p.file] = p.fileSize;
      doneBytes[p.file] = p.fileBytes;
      if (!tty) return plain(p, false);
      const now = Date.now();
      if (now - lastDraw < TTY_EVERY_MS && !(p.total !== undefined && p.bytes >= p.total)) return;
      lastDraw = now;
      draw();
    },
    done() {
      if (tty) draw();
      else if (last) plain(last, true);
    },
  };
}
