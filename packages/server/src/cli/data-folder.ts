/** How the admin tools open the server's data: only one that exists, quietly, without metrics. */
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { AdminError } from './io.js';

/** The admin tools' context: a quiet logger on stderr, no metrics. */
export function openContext(config: Config): Promise<AppContext> {
  return createContext(config, { logger: pino({ level: config.logLevel }, pino.destination(2)), telemetry: 'none' });
}

/**
 * An admin command run from the wrong folder (or with a mistyped SENDBAY_DATA_DIR) must
 * say so, not create an empty database and report that it holds nothing.
 */
export function requireExistingData(config: Config): void {
  const where = `SENDBAY_DATA_DIR=${config.dataDir}`;
  if (config.database.kind === 'sqlite' && !existsSync(config.database.file))
    throw new AdminError(
      `no Sendbay database at ${config.database.file} (${where}): run this where the server runs, or set SENDBAY_DATA_DIR / SENDBAY_DATABASE_URL; \`sendbay serve\` creates a new one`,
    );
  if (config.blobs.kind === 'disk' && !existsSync(config.dataDir))
    throw new AdminError(`the data folder ${config.dataDir} does not exist: set SENDBAY_DATA_DIR to the server's`);
}
