/**
 * The `delete_url` handed out with uploads: `/delete/<id>/<key>`, where the key is
 * derived from the server secret and the file's salt (links.deleteKey). Whoever holds
 * it may delete the file, owner or not (anonymous uploads have no other way).
 * A wrong key and an unknown file look the same, so the page discloses nothing.
 */
import { FILE_ID_RE } from '@sendbay/protocol';
import { safeEqual } from '../../lib/crypto.js';
import type { FileRow, FilesRepository } from '../../metadata/repositories/files.js';
import type { FileRemoval } from '../file-removal.js';
import type { Links } from '../links.js';
import type { Limits } from '../limits/limits.js';

export class DeleteLinks {
  constructor(private readonly d: { files: FilesRepository; links: Links; limits: Limits; fileRemoval: FileRemoval }) {}

  /** The file the link names, if the key is right and the file still exists. */
  async find(id: string, key: string): Promise<FileRow | undefined> {
    if (!FILE_ID_RE.test(id)) return undefined;
    const row = await this.d.files.findById(id);
    if (!row || !safeEqual(this.d.links.deleteKey(row.id, row.delete_salt), key)) return undefined;
    return this.d.limits.enforceOnTouch(row);
  }

  /**
   * The file an upload just made, to show its delete link to the uploader. Only for a
   * caller that proved it made the upload (the web result step is given the tus upload
   * id, the capability that made the file); never for an id found elsewhere.
   */
  async ofUpload(fileId: string): Promise<FileRow | undefined> {
    if (!FILE_ID_RE.test(fileId)) return undefined;
    const row = await this.d.files.findById(fileId);
    return row && this.d.limits.enforceOnTouch(row);
  }

  /** Deletes the file (row, quota, bytes); false when the link does not name one. */
  async delete(id: string, key: string): Promise<boolean> {
    const file = await this.find(id, key);
    if (!file) return false;
    return (await this.d.fileRemoval.remove([file])).length > 0;
  }
}
