import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { FoldersTable } from '../schema.js';

export type FolderRow = Selectable<FoldersTable>;

export class FoldersRepository {
  constructor(private readonly db: Db) {}

  findById(id: string): Promise<FolderRow | undefined> {
    return this.db.selectFrom('folders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async idExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('folders').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
