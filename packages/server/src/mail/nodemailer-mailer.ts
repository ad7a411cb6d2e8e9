/**
 * Both mail back-ends go through nodemailer: SMTP for real delivery, and its stream
 * transport for the default outbox, which writes each message as an `.eml` file.
 */
import { access, constants, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { randomKey } from '../lib/crypto.js';
import type { Email, Mailer } from './email.js';
import { renderEmail } from './render.js';

/**
 * nodemailer is loaded on the first message, not at start-up: it is about 12 MB of a
 * process that may send mail rarely.
 */
function lazyTransport(options: string | Record<string, unknown>): () => Promise<Transporter> {
  let transport: Promise<Transporter> | undefined;
  return () => (transport ??= import('nodemailer').then((m) => (m.default.createTransport as (o: typeof options) => Transporter)(options)));
}

export class SmtpMailer implements Mailer {
  private readonly transport: () => Promise<Transporter>;
  private opened = false;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = lazyTransport(url);
  }

  async send(email: Email): Promise<void> {
    const r = renderEmail(email);
    this.opened = true;
    await (await this.transport()).sendMail({ from: this.from, to: r.to, replyTo: r.replyTo, subject: r.subject, text: r.text });
  }

  /** Connects and greets the server (and logs in, if the URL has credentials). */
  async check(): Promise<void> {
    this.opened = true;
    await (await this.transport()).verify();
  }

  async close(): Promise<void> {
    if (this.opened) (await this.transport()).close();
  }
}

export class OutboxMailer implements Mailer {
  private readonly transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {}

  async check(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await access(this.dir, constants.W_OK);
  }

  async send(email: Email): Promise<void> {
    const r = renderEmail(email);
    const info = await (
      await this.transport()
    ).sendMail({ from: this.from, to: r.to, replyTo: r.replyTo, subject: r.subject, text: r.text });
    await mkdir(this.dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomKey(8)}.eml`;
    // Written under a temporary name and renamed, so a reader never sees half a message.
    const tmp = join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, info.message as Buffer);
    await rename(tmp, join(this.dir, name));
  }
}
