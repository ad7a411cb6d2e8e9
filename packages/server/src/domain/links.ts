/**
 * Every URL the server hands out, built from the configured public base URL.
 * Direct download links are signed (and, for protected files, expiring); delete keys
 * are derived from the secret and a per-file salt, so nothing secret is stored.
 */
import type { Secrets } from '../lib/crypto.js';

export const DELETE_KEY_LENGTH = 16;

export interface DirectLink {
  fileId: string;
  /** Unix seconds, or 0 for a link that does not expire. */
  expires: number;
  signature: string;
}

export class Links {
  constructor(
    readonly publicUrl: string,
    private readonly secrets: Secrets,
  ) {}

  downloadPage(fileId: string): string {
    return `${this.publicUrl}/file/${fileId}`;
  }

  /** `salt` is the file's `delete_salt`; changing it revokes old links. */
  deleteKey(fileId: string, salt: string): string {
    return this.secrets.deriveKey('delete', `${fileId}:${salt}`, DELETE_KEY_LENGTH);
  }

  deletePage(fileId: string, salt: string): string {
    return `${this.publicUrl}/delete/${fileId}/${this.deleteKey(fileId, salt)}`;
  }

  /**
   * `/dl/<id>/<expires>/<signature>/<name>`: the signature covers id, expiry and the
   * file's salt, so it cannot be guessed or moved to another file.
   */
  direct(fileId: string, salt: string, fileName: string, expires = 0): string {
    const sig = this.secrets.sign('direct', `${fileId}:${expires}:${salt}`);
    return `${this.publicUrl}/dl/${fileId}/${expires}/${sig}/${encodeURIComponent(fileName || 'file')}`;
  }

  verifyDirect(fileId: string, salt: string, expires: number, signature: string): boolean {
    return this.secrets.verify('direct', `${fileId}:${expires}:${salt}`, signature);
  }

  folderPage(folderId: string): string {
    return `${this.publicUrl}/folder/${folderId}`;
  }

  folderRss(folderId: string): string {
    return `${this.publicUrl}/folder/${folderId}/rss`;
  }
}
