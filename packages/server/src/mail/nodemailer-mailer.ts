/**
 * Both mail back-ends go through nodemailer: SMTP for real delivery, and its stream
 * transport for the default outbox, which writes each message as an `.eml` file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { randomKey } from '../lib/crypto.js';
import type { Email, Mailer } from './email.js';
import { renderEmail } from './render.js';

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(email: Email): Promise<void> {
    const r = renderEmail(email);
    await this.transport.sendMail({ from: this.from, to: r.to, replyTo: r.replyTo, subject: r.subject, text: r.text });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export class OutboxMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {}

  async send(email: Email): Promise<void> {
    const r = renderEmail(email);
    const info = await this.transport.sendMail({ from: this.from, to: r.to, replyTo: r.replyTo, subject: r.subject, text: r.text });
    await mkdir(this.dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomKey(8)}.eml`;
    // Written under a temporary name and renamed, so a reader never sees half a message.
    const tmp = join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, info.message as Buffer);
    await rename(tmp, join(this.dir, name));
  }
}
