/** Turns an Email into subject + plain text. Plain text needs no escaping; headers are set by nodemailer. */
import type { Email } from './email.js';
import { humanSize } from '../lib/format.js';

export interface RenderedEmail {
  to: string[];
  replyTo?: string;
  subject: string;
  text: string;
}

/** Keeps user text from forging header-like lines and bounds its length. */
function userText(s: string): string {
  return s.replace(/\r\n?/g, '\n').slice(0, 5000);
}

export function renderEmail(email: Email): RenderedEmail {
  switch (email.kind) {
    case 'activation': {
      const lines = [
        `Hello ${email.fullName},`,
        '',
        'Welcome to Sendbay. Please activate your account by opening this link:',
        email.activationUrl,
      ];
      if (email.generatedPassword) lines.push('', `Your password: ${email.generatedPassword}`);
      return { to: [email.to], subject: 'Activate your Sendbay account', text: lines.join('\n') + '\n' };
    }
    case 'password-reset':
      return {
        to: [email.to],
        subject: 'Set a new Sendbay password',
        text:
          [
            `Hello ${email.fullName},`,
            '',
            'Someone (we hope you) asked to set a new password for your Sendbay account. Open this link to do so:',
            email.resetUrl,
            '',
            `The link works once, for ${email.validMinutes} minutes. If you did not ask, ignore this e-mail: your password stays as it is.`,
          ].join('\n') + '\n',
      };
    case 'email-change':
      return {
        to: [email.to],
        subject: 'Confirm your new Sendbay e-mail address',
        text:
          [
            `Hello ${email.fullName},`,
            '',
            'Open this link to make this the e-mail address of your Sendbay account:',
            email.confirmUrl,
            '',
            `The link works for ${email.validMinutes} minutes. If you did not ask for this, ignore this e-mail.`,
          ].join('\n') + '\n',
      };
    case 'files-shared': {
      const lines = [`${email.senderName} has sent you ${email.files.length === 1 ? 'a file' : 'files'}:`, ''];
      for (const f of email.files) lines.push(`${f.name} (${humanSize(f.size)})`, f.url, '');
      if (email.message) lines.push('Message:', userText(email.message), '');
      const subject =
        email.files.length === 1
          ? `${email.senderName} sent you ${email.files[0]?.name}`
          : `${email.senderName} sent you ${email.files.length} files`;
      return { to: email.to, ...(email.replyTo ? { replyTo: email.replyTo } : {}), subject: subject.slice(0, 200), text: lines.join('\n') };
    }
    case 'folders-shared': {
      const lines = [`${email.senderName} has shared ${email.folders.length === 1 ? 'a folder' : 'folders'} with you:`, ''];
      for (const f of email.folders) lines.push(f.name, f.url, '');
      if (email.message) lines.push('Message:', userText(email.message), '');
      return {
        to: email.to,
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
        subject:
          `${email.senderName} shared ${email.folders.length === 1 ? email.folders[0]?.name : `${email.folders.length} folders`}`.slice(
            0,
            200,
          ),
        text: lines.join('\n'),
      };
    }
    case 'upload-receipt': {
      const lines = ['Your upload is complete:', ''];
      for (const f of email.files) {
        lines.push(`${f.name} (${humanSize(f.size)})`, `Download: ${f.url}`);
        if (f.deleteUrl) lines.push(`Delete: ${f.deleteUrl}`);
        lines.push('');
      }
      return { to: [email.to], subject: 'Your Sendbay upload is complete', text: lines.join('\n') };
    }
  }
}
