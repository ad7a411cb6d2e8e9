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

export interface AnonymousMailInput {
  fileIds: readonly string[];
  senderEmail: string;
  emails: readonly string[];
  message: string;
}

export class AnonymousMail {
  constructor(private readonly d: { files: FilesRepository; links: Links; limits: Limits; mailer: Mailer }) {}

  /** Sends one mail to every recipient; throws 9 (with the unknown ids) and sends nothing if any id is unknown. */
  async send(input: AnonymousMailInput): Promise<string[]> {
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
