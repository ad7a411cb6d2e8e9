/** Every e-mail the server sends, as data. Rendering happens in one place (render.ts). */
export interface LinkedFile {
  name: string;
  size: number;
  url: string;
}

export type Email =
  | { kind: 'activation'; to: string; fullName: string; activationUrl: string; generatedPassword?: string }
  | { kind: 'files-shared'; to: string[]; senderName: string; replyTo?: string; message: string; files: LinkedFile[] }
  | {
      kind: 'folders-shared';
      to: string[];
      senderName: string;
      replyTo?: string;
      message: string;
      folders: { name: string; url: string }[];
    }
  | { kind: 'password-reset'; to: string; fullName: string; resetUrl: string; validMinutes: number }
  | { kind: 'email-change'; to: string; fullName: string; confirmUrl: string; validMinutes: number }
  | { kind: 'upload-receipt'; to: string; files: (LinkedFile & { deleteUrl?: string })[] };

/** The mail seam: one call per e-mail; resolves once the message is handed over. */
export interface Mailer {
  send(email: Email): Promise<void>;
  /** Resolves when mail could be handed over now (`sendbay doctor`); rejects saying why not. */
  check?(): Promise<void>;
  close?(): Promise<void>;
}
