/**
 * The typed SDK for any sendspace-compatible endpoint. `call()` sends one of the 27
 * methods with typed parameters and returns its typed result (decoded by the
 * protocol's record codecs); the namespaces (`files`, `folders`, …) are thin
 * shorthands. A client that holds credentials logs in again by itself when the
 * server says the session expired, and repeats the call once.
 */
import { methodResults, methods, type MethodName, type MethodResult, type SessionRecord } from '@sendbay/protocol';
import { SendbayApiError } from './errors.js';
import { md5 } from './md5.js';
import { encodeParams, type CallParams, type ParamValue } from './params.js';
import { restCall, type RestOptions, type RetryPolicy } from './rest.js';

export interface Credentials {
  email: string;
  password: string;
}

export interface SendbayClientOptions {
  /** Sent where a method asks for one (auth.createToken, anonymous.*). Default 'sendbay-client'. */
  apiKey?: string;
  apiVersion?: string;
  appVersion?: string;
  /** Resume an existing session. */
  sessionKey?: string;
  /** Kept to log in again when the session expires. */
  credentials?: Credentials;
  fetch?: typeof fetch;
  /** Per API call (default 60 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  httpMethod?: 'GET' | 'POST';
  /** Told about every new session key (to save it) and about a logout (undefined). */
  onSession?: (sessionKey: string | undefined) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Error codes that mean "log in again": session expired or not found, not authenticated. */
const SESSION_ERRORS = new Set([6, 7]);

/** `http://host` → `http://host/rest/`; a URL that already names `/rest/` (or `.../rest`) is kept. */
export function restUrlOf(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${baseUrl}`);
  u.search = '';
  u.hash = '';
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/rest$/i.test(path) ? `${path}/` : `${path}/rest/`;
  return u.href;
}

export class SendbayClient {
  readonly restUrl: string;
  sessionKey: string | undefined;
  credentials: Credentials | undefined;
  readonly fetch: typeof fetch;
  private readonly rest: RestOptions;
  private relogin: Promise<unknown> | undefined;

  constructor(
    baseUrl: string,
    readonly options: SendbayClientOptions = {},
  ) {
    this.restUrl = restUrlOf(baseUrl);
    this.sessionKey = options.sessionKey;
    this.credentials = options.credentials;
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.rest = {
      fetch: this.fetch,
      httpMethod: options.httpMethod,
      timeoutMs: options.timeoutMs ?? 60_000,
      retry: { retries: options.retry?.retries ?? 3, baseDelayMs: options.retry?.baseDelayMs ?? 250 },
    };
  }

  /** The site root the API lives under (for links such as `/upload`). */
  get baseUrl(): string {
    return this.restUrl.replace(/rest\/$/, '');
  }

  /** Sends one method. Throws SendbayApiError on `status="fail"`. */
  async call<M extends MethodName>(method: M, params: CallParams<M>, opts: CallOptions = {}): Promise<MethodResult<M>> {
    const decl = methods[method];
    try {
      return await this.send(method, params, opts);
    } catch (err) {
      const retry =
        decl.auth === 'session' && err instanceof SendbayApiError && SESSION_ERRORS.has(err.code) && this.credentials !== undefined;
      if (!retry) throw err;
      await this.loginAgain(opts);
      return this.send(method, params, opts);
    }
  }

  private async send<M extends MethodName>(method: M, params: CallParams<M>, opts: CallOptions): Promise<MethodResult<M>> {
    const decl = methods[method];
    const all: Record<string, ParamValue> = { ...(params as Record<string, ParamValue>) };
    if (decl.auth === 'session') {
      if (!this.sessionKey) {
        if (!this.credentials)
          throw new SendbayApiError(method, [{ code: 6, name: 'API_ERROR_SESSION_BAD', text: 'Not logged in', ids: [] }]);
        await this.loginAgain(opts);
      }
      all.session_key = this.sessionKey;
    }
    if (decl.auth === 'apiKey' || decl.auth === 'apiKeyOptional') all.api_key ??= this.options.apiKey ?? 'sendbay-client';
    if (decl.versioned) {
      all.api_version ??= this.options.apiVersion ?? '1.2';
      if (this.options.appVersion) all.app_version ??= this.options.appVersion;
    }
    const r = await restCall(this.restUrl, method, encodeParams(all), this.rest, opts.signal);
    if (r.status !== 'ok') throw new SendbayApiError(method, r.errors);
    return (methodResults[method] as (root: typeof r.root) => MethodResult<M>)(r.root);
  }

  /** One re-login at a time, whatever number of calls found the session expired. */
  private loginAgain(opts: CallOptions): Promise<unknown> {
    const creds = this.credentials;
    if (!creds) return Promise.resolve();
    this.relogin ??= this.login(creds.email, creds.password, opts).finally(() => (this.relogin = undefined));
    return this.relogin;
  }

  /**
   * auth.createToken + auth.login with `md5(token + md5(password))`. Keeps the session
   * key, and the credentials when `keepCredentials` (default true) for re-logins.
   */
  async login(email: string, password: string, opts: CallOptions & { keepCredentials?: boolean } = {}): Promise<SessionRecord> {
    const { token } = await this.call('auth.createToken', {}, opts);
    const session = await this.call('auth.login', { token, user_name: email, tokened_password: md5(token + md5(password)) }, opts);
    this.sessionKey = session.sessionKey;
    if (opts.keepCredentials !== false) this.credentials = { email, password };
    this.options.onSession?.(session.sessionKey);
    return session;
  }

  /** auth.logout, then forgets the session and the credentials. */
  async logout(opts: CallOptions = {}): Promise<void> {
    this.credentials = undefined;
    try {
      if (this.sessionKey) await this.send('auth.logout', {}, opts);
    } finally {
      this.sessionKey = undefined;
      this.options.onSession?.(undefined);
    }
  }

  readonly auth = {
    register: (p: CallParams<'auth.register'>, o?: CallOptions) => this.call('auth.register', p, o),
    createToken: (o?: CallOptions) => this.call('auth.createToken', {}, o),
    checkSession: (o?: CallOptions) => this.call('auth.checkSession', {}, o),
  };

  readonly upload = {
    getInfo: (p: CallParams<'upload.getInfo'> = {}, o?: CallOptions) => this.call('upload.getInfo', p, o),
  };

  readonly anonymous = {
    uploadGetInfo: (p: CallParams<'anonymous.uploadGetInfo'> = {}, o?: CallOptions) => this.call('anonymous.uploadGetInfo', p, o),
    filesSendMail: (p: CallParams<'anonymous.filesSendMail'>, o?: CallOptions) => this.call('anonymous.filesSendMail', p, o),
  };

  readonly download = {
    getInfo: (fileIdOrUrl: string, password?: string, o?: CallOptions) =>
      this.call('download.getInfo', { file_id: fileIdOrUrl, password }, o),
  };

  readonly files = {
    getInfo: (ids: string | readonly string[], o?: CallOptions) => this.call('files.getInfo', { file_id: ids }, o),
    setInfo: (ids: string | readonly string[], changes: Omit<CallParams<'files.setInfo'>, 'file_id'>, o?: CallOptions) =>
      this.call('files.setInfo', { ...changes, file_id: ids }, o),
    moveToFolder: (ids: string | readonly string[], folderId: string, o?: CallOptions) =>
      this.call('files.moveToFolder', { file_id: ids, folder_id: folderId }, o),
    delete: (ids: string | readonly string[], o?: CallOptions) => this.call('files.delete', { file_id: ids }, o),
    sendMail: (ids: string | readonly string[], p: Omit<CallParams<'files.sendMail'>, 'file_id'>, o?: CallOptions) =>
      this.call('files.sendMail', { ...p, file_id: ids }, o),
  };

  readonly folders = {
    getInfo: (folderId: string, o?: CallOptions) => this.call('folders.getInfo', { folder_id: folderId }, o),
    create: (p: CallParams<'folders.create'>, o?: CallOptions) => this.call('folders.create', p, o),
    setInfo: (folderId: string, changes: Omit<CallParams<'folders.setInfo'>, 'folder_id'>, o?: CallOptions) =>
      this.call('folders.setInfo', { ...changes, folder_id: folderId }, o),
    delete: (ids: string | readonly string[], o?: CallOptions) => this.call('folders.delete', { folder_id: ids }, o),
    getContents: (folderId = '0', o?: CallOptions) => this.call('folders.getContents', { folder_id: folderId }, o),
    getShared: (folderId: string, folderPassword?: string, o?: CallOptions) =>
      this.call('folders.getShared', { folder_id: folderId, folder_password: folderPassword }, o),
    getAll: (o?: CallOptions) => this.call('folders.getAll', {}, o),
    move: (ids: string | readonly string[], parentFolderId: string, o?: CallOptions) =>
      this.call('folders.move', { folder_id: ids, parent_folder_id: parentFolderId }, o),
    sendMail: (ids: string | readonly string[], p: Omit<CallParams<'folders.sendMail'>, 'folder_id'>, o?: CallOptions) =>
      this.call('folders.sendMail', { ...p, folder_id: ids }, o),
  };

  readonly addressbook = {
    list: (o?: CallOptions) => this.call('addressbook.list', {}, o),
    add: (p: CallParams<'addressbook.add'>, o?: CallOptions) => this.call('addressbook.add', p, o),
    update: (p: CallParams<'addressbook.update'>, o?: CallOptions) => this.call('addressbook.update', p, o),
    delete: (emails: string | readonly string[], o?: CallOptions) => this.call('addressbook.delete', { email: emails }, o),
  };
}
