/**
 * Every `sendbay` command with its synopsis and help text: `sendbay help`, and
 * `sendbay <command> --help` print from here, so the two never disagree.
 */

export interface CommandHelp {
  /** `user add`, `serve`, … */
  name: string;
  synopsis: string;
  help: string;
  /** Works on an existing data folder / database (refused when there is none). */
  needsData: boolean;
}

const PASSWORD_HELP = `The password is asked for on the terminal (twice, not echoed), or read from standard
input with --password-stdin (one line; for scripts: printf '%s\\n' "$PW" | sendbay …).
--password P still works but warns: it shows in the process list and shell history.`;

export const COMMANDS: CommandHelp[] = [
  {
    name: 'serve',
    synopsis: 'serve',
    help: 'Runs the server, configured by the environment (see README). Creates the data folder if it is missing.',
    needsData: false,
  },
  {
    name: 'user add',
    synopsis: 'user add --email E [--password-stdin] [--name N] [--plan lite|pro|max|business]',
    help: `Creates an activated account and prints its id.\n\n${PASSWORD_HELP}`,
    needsData: true,
  },
  {
    name: 'user list',
    synopsis: 'user list',
    help: 'Lists accounts: id, e-mail, plan, state, disk used, name (tab-separated).',
    needsData: true,
  },
  {
    name: 'user set-plan',
    synopsis: 'user set-plan <email|id> <plan> [--until YYYY-MM-DD]',
    help: 'Moves an account to a plan, optionally until a date (00:00 UTC that day); lite never ends.',
    needsData: true,
  },
  {
    name: 'user reset-password',
    synopsis: 'user reset-password <email|id> [--password-stdin]',
    help: `Gives an account a new password and ends its open sessions.\n\n${PASSWORD_HELP}`,
    needsData: true,
  },
  {
    name: 'user delete',
    synopsis: 'user delete <email|id> --yes',
    help: 'Deletes an account for good: its files and their stored bytes, folders, contacts, sessions and\nteam places. --yes confirms; without it nothing is deleted.',
    needsData: true,
  },
  { name: 'user disable', synopsis: 'user disable <email|id>', help: 'Disables an account and ends its sessions.', needsData: true },
  { name: 'user enable', synopsis: 'user enable <email|id>', help: 'Enables a disabled account.', needsData: true },
  {
    name: 'user set-admin',
    synopsis: 'user set-admin <email|id> [--off]',
    help: 'Lets an account open the admin pages (/admin/users); --off takes that away again.',
    needsData: true,
  },
  { name: 'apikey add', synopsis: 'apikey add [--name N]', help: 'Makes an API key and prints it (shown once).', needsData: true },
  { name: 'apikey list', synopsis: 'apikey list', help: 'Lists API keys by prefix, state, creation time and name.', needsData: true },
  {
    name: 'apikey revoke',
    synopsis: 'apikey revoke <key or 8-character prefix>',
    help: 'Revokes an API key: apps using it get error 18.',
    needsData: true,
  },
  {
    name: 'team add-member',
    synopsis: 'team add-member --owner E --member E',
    help: 'Adds an account to the team of a business-plan owner.',
    needsData: true,
  },
  {
    name: 'team remove-member',
    synopsis: 'team remove-member --owner E --member E',
    help: 'Removes an account from a team.',
    needsData: true,
  },
  { name: 'team list', synopsis: 'team list', help: 'Lists teams: owner, then members (tab-separated).', needsData: true },
  {
    name: 'doctor',
    synopsis: 'doctor',
    help: 'Checks the configuration and reaches every configured service (database, blob store, mail,\nRedis…). Prints one line per check; exits 1 if any failed.',
    needsData: false,
  },
  {
    name: 'backup',
    synopsis: 'backup DIR [--link]',
    help: 'Copies a consistent snapshot of a running or stopped server into DIR (new or empty): the SQLite\ndatabase through its online backup API, then every blob it refers to, and the secret file.\n--link hard-links the blobs instead of copying them (same file system; fast, and safe because\nblobs never change, but it guards against deletion only, not against a failing disk).\nWith PostgreSQL or S3 it prints the procedure to follow instead (see README).',
    needsData: true,
  },
  {
    name: 'restore',
    synopsis: 'restore DIR',
    help: 'Restores a backup made by `sendbay backup` into the configured data folder, which must be\nmissing or empty. Run it with the server stopped, then `sendbay fsck`.',
    needsData: false,
  },
  {
    name: 'fsck',
    synopsis: 'fsck [--repair] [--no-hashes]',
    help: "Checks that every file row has its blob with the recorded size and SHA-256, lists blobs no row\nrefers to, and recomputes each account's disk usage. Exits 1 naming each problem.\n--repair removes the stray blobs and corrects usage figures (rows with missing or damaged\nblobs are reported, never deleted).",
    needsData: true,
  },
];

export function findCommand(name: string): CommandHelp | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export const USAGE = `Usage: sendbay <command> [--help]\n\n${COMMANDS.map((c) => `  ${c.synopsis}`).join('\n')}\n`;

export function commandHelp(c: CommandHelp): string {
  return `Usage: sendbay ${c.synopsis}\n\n${c.help}\n`;
}
