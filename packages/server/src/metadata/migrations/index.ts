/** Numbered migrations, applied in order by Kysely's Migrator. Never edit a shipped one. */
import type { Migration } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-download-limits.js';
import * as m003 from './003-files-by-name.js';
import * as m004 from './004-web-sessions.js';
import * as m005 from './005-tus-uploads.js';
import * as m006 from './006-file-manager.js';
import * as m007 from './007-tus-store-state.js';

export const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-download-limits': m002,
  '003-files-by-name': m003,
  '004-web-sessions': m004,
  '005-tus-uploads': m005,
  '006-file-manager': m006,
  '007-tus-store-state': m007,
};
