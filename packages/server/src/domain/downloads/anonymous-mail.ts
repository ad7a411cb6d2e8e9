/**
 * anonymous.filesSendMail: mails the download-page links of anonymous uploads. Only
 * anonymous files qualify (an account's files are shared with files.sendMail, under a
 * session): any other id is "not found", like an unknown one. The sender's address is
 * unverified, so it goes to Reply-To only; the mail comes from the server's address.
 */
import { ApiError } from '@sendbay/protocol';
import type { Mailer } from '../../mail/email.js';
import type { FileRow, FilesRepository } from '../../metadata/repositories/files.js';
import type { Links } from '../links.js';
import type { Limits } from '../limits/limits.js';
import type { RateLimitStore } from '../rate-limiter.js';
import type { Clock } from '../clock.js';

export interface AnonymousMailInput {
  fileIds: readonly string[];
  senderEmail: string;
  emails: readonly string[];
  message: string;
  /** The caller's network address: sending is limited per address, as it needs no account. */
  address: string;
}

const HOUR = 3600;

export class AnonymousMail {
  constructor(
    private readonly d: {
      files: FilesRepository;
      links: Links;
      limits: Limits;
      mailer: Mailer;
      rateLimits: RateLimitStore;
      clock: Clock;
      /** Calls allowed per address per hour. */
      perHour: number;
    },
  ) {}

  /** Sends one mail to every recipient; throws 9 (with the unknown ids) and sends nothing if any id is unknown. */
  async send(input: AnonymousMailInput): Promise<string[]> {
    // Anyone can call this without an account: bound how much mail one address can make us send.
    const now = this.d.clock.now();
    const bucket = `anonmail:addr:${input.address}`;
    if ((await this.d.rateLimits.count(bucket, now - HOUR)) >= this.d.perHour)
      throw new ApiError(11, 'Too many e-mails were sent from your address; please try again in an hour');
    await this.d.rateLimits.hit(bucket, now, now - HOUR);
    const rows = await this.d.files.findByIds(input.fileIds);
    const found = new Map<string, FileRow>();
    for (const row of rows) {
      if (row.owner_id !== null) continue;
      const live = await this.d.limits.enforceOnTouch(row);
      if (live) found.set(live.id, live);
    }
    const missing = input.fileIds.filter((id) => !found.has(id));
    if (missing.length > 0) throw new ApiError(9, undefined, [missing.join(',')]);
    const files = input.fileIds.map((id) => found.get(id) as FileRow);
    await this.d.mailer.send({
      kind: 'files-shared',
      to: [...input.emails],
      senderName: input.senderEmail,
      replyTo: input.senderEmail,
      message: input.message,
      files: files.map((f) => ({ name: f.name, size: f.size, url: this.d.links.downloadPage(f.id) })),
    });
    return files.map((f) => f.id);
  }
}
