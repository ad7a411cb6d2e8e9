/**
 * What `sendbay backup` prints when the data is not in SQLite and a blob folder: the
 * engines have their own consistent tools, and the operator runs them.
 */
import type { Config } from '../config.js';

export function backupProcedure(config: Config): string {
  const steps: string[] = ['`sendbay backup` copies SQLite and disk blobs only. For this configuration:'];
  if (config.database.kind === 'postgres')
    steps.push(
      '- PostgreSQL: `pg_dump --format=custom --file=sendbay.pgdump "$SENDBAY_DATABASE_URL"` (consistent while the server runs);',
      '  restore into an empty database with `pg_restore --no-owner --dbname="$SENDBAY_DATABASE_URL" sendbay.pgdump`.',
    );
  else steps.push(`- SQLite (${config.database.file}): \`sqlite3 ${config.database.file} ".backup sendbay.sqlite"\`.`);
  if (config.blobs.kind === 's3')
    steps.push(
      `- S3 bucket ${config.blobs.bucket}: take the database dump FIRST, then copy the bucket (e.g. \`rclone copy\` or`,
      '  `aws s3 sync s3://BUCKET DEST`); blobs are never changed once written, so a copy taken after the dump holds',
      '  every blob the dump refers to. Better still, enable bucket versioning.',
    );
  else steps.push(`- Blobs: copy ${config.blobs.dir}/blobs after the database dump (blobs are never changed once written).`);
  steps.push("- Keep SENDBAY_SECRET (or the data folder's `secret` file): without it passwords and links stop working.");
  steps.push('- After restoring, run `sendbay fsck` to confirm every file has its bytes.');
  return steps.join('\n');
}
