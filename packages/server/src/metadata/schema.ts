/**
 * Table shapes as Kysely sees them. Times are Unix seconds; sizes are bytes. Integers
 * come back as JS numbers on both engines (the PostgreSQL driver is told to parse int8).
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  /** md5(password), sealed with the server secret: auth.login needs it, nobody reads it. */
  md5_sealed: string;
  plan: string;
  /** Unix seconds; null means the plan never ends. */
  membership_ends: number | null;
  activated: number;
  disabled: number;
  activation_hash: string | null;
  created_at: number;
  diskspace_used: Generated<number>;
  bandwidth_used: Generated<number>;
  /** `YYYY-MM` the bandwidth counter belongs to. */
  bandwidth_month: Generated<string>;
  /** 1 for an operator: the admin pages open to them (set with `sendbay user set-admin`). */
  is_admin: Generated<number>;
}

export interface ApiKeysTable {
  key_hash: string;
  prefix: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AuthTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
}

export interface SessionsTable {
  key_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** A browser's login (the `ssal` cookie); see migration 004 for why it is not in `sessions`. */
export interface WebSessionsTable {
  key_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string;
  /** 1 when "remember me" was ticked: a cookie that outlives the browser. */
  persistent: number;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: number;
  count: number;
}

export interface FoldersTable {
  id: string;
  owner_id: string;
  /** '0' for a top-level folder. */
  parent_id: string;
  name: string;
  shared: number;
  password_sealed: string | null;
  business_shared: number;
  created_at: number;
}

export interface FilesTable {
  id: string;
  /** null for an anonymous upload. */
  owner_id: string | null;
  folder_id: string;
  name: string;
  description: string;
  size: number;
  sha256: string;
  blob_key: string;
  password_sealed: string | null;
  upload_time: number;
  downloads: Generated<number>;
  /** Seconds the owner set; `limit_expires_at` is when it runs out. */
  time_limit: number | null;
  limit_expires_at: number | null;
  download_limit: number | null;
  limit_action: Generated<number>;
  limit_action_to_folder: string | null;
  /** 1 once a limit's "block downloads" action has run. */
  blocked: Generated<number>;
  business_shared: Generated<number>;
  /** Salt of the delete key, which is derived, never stored. */
  delete_salt: string;
  last_download_at: number | null;
}

export interface ContactsTable {
  owner_id: string;
  email: string;
  name: string;
  description: string;
  type: number;
  created_at: number;
}

export interface TeamsTable {
  id: string;
  owner_id: string;
  created_at: number;
}

export interface TeamMembersTable {
  user_id: string;
  team_id: string;
  joined_at: number;
}

export interface TusUploadsTable {
  id: string;
  /** null for an anonymous upload. */
  owner_id: string | null;
  /** The upload ticket it was created with (names its progress entry). */
  ticket: string;
  file_name: string;
  /** JSON of the upload's options (see domain/uploads/resumable-form.ts); the password sealed. */
  form: string;
  upload_length: number;
  upload_offset: Generated<number>;
  speed_limit_kb: Generated<number>;
  created_at: number;
  expires_at: number;
  lock_token: string | null;
  /** Unix milliseconds the lease runs to. */
  lock_until: number | null;
  /** The blob the bytes go to once complete (chosen at creation; null in rows made before that). */
  blob_key: string | null;
  /** Set once the upload became a file. */
  file_id: string | null;
  /** What the resumable store records with the offset (the S3 parts); null on disk. */
  store_state: Generated<string | null>;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  auth_tokens: AuthTokensTable;
  sessions: SessionsTable;
  web_sessions: WebSessionsTable;
  rate_limits: RateLimitsTable;
  folders: FoldersTable;
  files: FilesTable;
  contacts: ContactsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  tus_uploads: TusUploadsTable;
}
