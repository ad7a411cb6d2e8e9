/**
 * Every method of the sendspace API 1.2, declared as data: its canonical name, how the
 * caller is authenticated, its parameters with their parsers, and the spec's error list.
 * The server's dispatcher enforces everything declared here before a handler runs.
 */
import type { ApiErrorCode } from './errors.js';
import { p, required, type ParamSpecs } from './params.js';
import { textEl, type XmlNode } from './xml.js';

/**
 * - `apiKey`: needs an `api_key` (checked against registered keys in strict mode)
 * - `apiKeyOptional`: checks an `api_key` when one is sent, accepts none
 * - `session`: needs a valid `session_key`
 * - `none`: nothing (auth.login authenticates by its token)
 */
export type AuthKind = 'apiKey' | 'apiKeyOptional' | 'session' | 'none';

export interface MethodDeclaration<S extends ParamSpecs = ParamSpecs, A extends AuthKind = AuthKind> {
  readonly name: string;
  readonly auth: A;
  /** Methods that carry `api_version` / `app_version` and so get those checks. */
  readonly versioned: boolean;
  readonly params: S;
  readonly errors: readonly ApiErrorCode[];
  /** Children added after the error on any failure (auth.checkSession's `<session>expired</session>`). */
  readonly failureChildren?: readonly XmlNode[];
}

function declare<S extends ParamSpecs, A extends AuthKind>(m: MethodDeclaration<S, A>): MethodDeclaration<S, A> {
  return m;
}

const apiVersionParams = { api_version: p.text({ max: 20 }), app_version: p.text({ max: 100 }) };

export const methods = {
  'auth.register': declare({
    name: 'auth.register',
    auth: 'apiKey',
    versioned: false,
    params: {
      full_name: required(p.text({ max: 200 })),
      email: required(p.text({ max: 254 })),
      password: p.text({ max: 200 }),
    },
    errors: [11, 27],
  }),
  'auth.createToken': declare({
    name: 'auth.createToken',
    auth: 'apiKey',
    versioned: true,
    params: { ...apiVersionParams, response_format: p.text({ max: 20 }) },
    errors: [5, 25],
  }),
  'auth.login': declare({
    name: 'auth.login',
    auth: 'none',
    versioned: false,
    params: {
      token: required(p.text({ max: 100 })),
      user_name: required(p.text({ max: 254 })),
      tokened_password: required(p.text({ max: 100 })),
    },
    errors: [6, 8, 11],
  }),
  'auth.checkSession': declare({
    name: 'auth.checkSession',
    auth: 'session',
    versioned: false,
    params: {},
    errors: [6, 7],
    // Some clients read <session> without looking at the status.
    failureChildren: [textEl('session', 'expired')],
  }),
  'auth.logout': declare({ name: 'auth.logout', auth: 'session', versioned: false, params: {}, errors: [6] }),

  'upload.getInfo': declare({
    name: 'upload.getInfo',
    auth: 'session',
    versioned: false,
    params: { speed_limit: p.int({ max: 10_000_000 }) },
    errors: [6, 11, 19, 20],
  }),

  'anonymous.uploadGetInfo': declare({
    name: 'anonymous.uploadGetInfo',
    auth: 'apiKey',
    versioned: true,
    params: { ...apiVersionParams, speed_limit: p.int({ max: 10_000_000 }) },
    errors: [5],
  }),
  'anonymous.filesSendMail': declare({
    name: 'anonymous.filesSendMail',
    auth: 'apiKeyOptional',
    versioned: true,
    params: {
      ...apiVersionParams,
      file_id: required(p.idList()),
      sender_email: required(p.email()),
      emails: required(p.emailList()),
      message: p.text({ max: 5_000 }),
    },
    errors: [6, 9, 24],
  }),

  'download.getInfo': declare({
    name: 'download.getInfo',
    auth: 'session',
    versioned: false,
    params: { file_id: required(p.id()), password: p.text({ max: 200 }) },
    errors: [6, 9, 11, 12, 19, 22, 23, 26],
  }),

  'files.getInfo': declare({
    name: 'files.getInfo',
    auth: 'session',
    versioned: false,
    params: { file_id: required(p.idList()) },
    errors: [6, 9],
  }),
  'files.moveToFolder': declare({
    name: 'files.moveToFolder',
    auth: 'session',
    versioned: false,
    params: { file_id: required(p.idList()), folder_id: required(p.id()) },
    errors: [6, 9, 10, 11],
  }),
  'files.setInfo': declare({
    name: 'files.setInfo',
    auth: 'session',
    versioned: false,
    params: {
      file_id: required(p.idList()),
      name: p.text({ max: 255 }),
      description: p.text({ max: 5_000 }),
      password: p.text({ max: 200 }),
      folder_id: p.id(),
      business_shared: p.flag(),
      time_limit: p.int({ max: 10 * 365 * 86_400 }),
      download_limit: p.int({ max: 1_000_000_000 }),
      limit_action: p.oneOf([0, 1, 2, 3] as const),
      limit_action_to_folder: p.id(),
    },
    errors: [6, 9, 10, 11],
  }),
  'files.delete': declare({
    name: 'files.delete',
    auth: 'session',
    versioned: false,
    params: { file_id: required(p.idList()) },
    errors: [6, 9, 11],
  }),
  'files.sendMail': declare({
    name: 'files.sendMail',
    auth: 'session',
    versioned: false,
    params: {
      file_id: required(p.idList()),
      emails: required(p.emailList()),
      message: p.text({ max: 5_000 }),
      direct_link: p.flag(),
    },
    errors: [6, 9, 24],
  }),

  'folders.getInfo': declare({
    name: 'folders.getInfo',
    auth: 'session',
    versioned: false,
    params: { folder_id: required(p.id()) },
    errors: [6, 10, 11],
  }),
  'folders.create': declare({
    name: 'folders.create',
    auth: 'session',
    versioned: false,
    params: { name: required(p.text({ max: 255 })), shared: p.flag(), parent_folder_id: p.id() },
    errors: [6, 10, 11],
  }),
  'folders.setInfo': declare({
    name: 'folders.setInfo',
    auth: 'session',
    versioned: false,
    params: {
      folder_id: required(p.id()),
      name: p.text({ max: 255 }),
      shared: p.flag(),
      parent_folder_id: p.id(),
      folder_password: p.text({ max: 200 }),
      business_shared: p.flag(),
    },
    errors: [6, 10, 11, 31],
  }),
  'folders.delete': declare({
    name: 'folders.delete',
    auth: 'session',
    versioned: false,
    params: { folder_id: required(p.idList()) },
    errors: [6, 10, 11, 14],
  }),
  'folders.getContents': declare({
    name: 'folders.getContents',
    auth: 'session',
    versioned: false,
    params: { folder_id: required(p.id()) },
    errors: [6, 10],
  }),
  'folders.getShared': declare({
    name: 'folders.getShared',
    auth: 'session',
    versioned: false,
    params: { folder_id: required(p.id()), folder_password: p.text({ max: 200 }) },
    errors: [6, 10],
  }),
  'folders.getAll': declare({ name: 'folders.getAll', auth: 'session', versioned: false, params: {}, errors: [6] }),
  'folders.move': declare({
    name: 'folders.move',
    auth: 'session',
    versioned: false,
    params: { folder_id: required(p.idList()), parent_folder_id: required(p.id()) },
    errors: [6, 10, 11, 31],
  }),
  'folders.sendMail': declare({
    name: 'folders.sendMail',
    auth: 'session',
    versioned: false,
    params: {
      folder_id: required(p.idList()),
      emails: required(p.emailList()),
      message: p.text({ max: 5_000 }),
    },
    errors: [6, 10, 24],
  }),

  'addressbook.list': declare({ name: 'addressbook.list', auth: 'session', versioned: false, params: {}, errors: [6] }),
  'addressbook.add': declare({
    name: 'addressbook.add',
    auth: 'session',
    versioned: false,
    params: {
      email: required(p.email()),
      name: p.text({ max: 200 }),
      description: p.text({ max: 1_000 }),
      type: p.flag(),
    },
    errors: [6, 24, 28, 32],
  }),
  'addressbook.update': declare({
    name: 'addressbook.update',
    auth: 'session',
    versioned: false,
    params: {
      email: required(p.email()),
      name: p.text({ max: 200 }),
      description: p.text({ max: 1_000 }),
      type: p.flag(),
    },
    errors: [6, 24, 29],
  }),
  'addressbook.delete': declare({
    name: 'addressbook.delete',
    auth: 'session',
    versioned: false,
    params: { email: required(p.emailList()) },
    errors: [6, 24, 29],
  }),
} as const;

export type MethodName = keyof typeof methods;
export type MethodParams<M extends MethodName> = (typeof methods)[M]['params'];

const byLowerName = new Map<string, MethodDeclaration>(Object.values(methods).map((m) => [m.name.toLowerCase(), m as MethodDeclaration]));

/** Case-insensitive lookup: clients send `auth.createtoken` as often as `auth.createToken`. */
export function findMethod(name: string): MethodDeclaration | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** API versions accepted by the `api_version` check (a missing one is accepted too). */
export const SUPPORTED_API_VERSIONS = ['1.0', '1.1', '1.2'] as const;

export function isSupportedApiVersion(v: string): boolean {
  const t = v.trim();
  if (t === '' || t === '1') return true;
  return SUPPORTED_API_VERSIONS.some((s) => Number(t) === Number(s) && /^\d+(\.\d+)?$/.test(t));
}
