/**
 * The untyped layer: `call()` sends any method name with any parameters and returns
 * the answer as a loose object tree plus the raw XML, without throwing on
 * `status="fail"`. For checking exactly what a server says (the server's own tests use
 * it); applications want SendbayClient.
 */
import { parseXml, type ParsedElement } from '@sendbay/protocol';
import { restUrlOf } from './client.js';
import { md5 } from './md5.js';

export interface ApiErrorInfo {
  code: number;
  text: string;
}

/** A parsed `<result>`: `status`, the first error if any, and the children as objects. */
export interface ApiResult {
  method: string;
  status: 'ok' | 'fail';
  error?: ApiErrorInfo;
  /** Every `<error/>` (mixed answers of list methods have several). */
  errors: (ApiErrorInfo & { id?: string })[];
  /** Children of `<result>` by element name; repeated elements become arrays. */
  body: Record<string, unknown>;
  /** The raw XML as received. */
  xml: string;
}

/** Elements that are always arrays, even when one is present. */
const ALWAYS_ARRAY = new Set(['file', 'folder', 'contact', 'error']);

/** An element as a value: its text when it has nothing else, else its attributes and children by name. */
function valueOf(e: ParsedElement): unknown {
  if (Object.keys(e.attrs).length === 0 && e.children.length === 0) return e.text;
  const out: Record<string, unknown> = { ...e.attrs };
  if (e.text !== '') out['#text'] = e.text;
  Object.assign(out, childrenOf(e, false));
  return out;
}

function childrenOf(e: ParsedElement, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of e.children) {
    const v = valueOf(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = top && ALWAYS_ARRAY.has(c.name) ? [v] : v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  return out;
}

export function parseResult(xml: string): ApiResult {
  let root: ParsedElement;
  try {
    root = parseXml(xml);
  } catch {
    throw new Error(`not a <result> document: ${xml.slice(0, 200)}`);
  }
  if (root.name !== 'result') throw new Error(`not a <result> document: ${xml.slice(0, 200)}`);
  const { error, ...body } = childrenOf(root, true);
  const errors = ((error as Record<string, string>[] | undefined) ?? []).map((e) => ({
    code: Number(e.code),
    text: String(e.text ?? ''),
    ...(e.id !== undefined ? { id: String(e.id) } : {}),
  }));
  return {
    method: root.attrs.method ?? '',
    status: root.attrs.status === 'ok' ? 'ok' : 'fail',
    ...(errors[0] ? { error: errors[0] } : {}),
    errors,
    body,
    xml,
  };
}

export interface ClientOptions {
  apiKey?: string;
  apiVersion?: string;
  /** Send calls as GET with a query string (default) or POST with a urlencoded body. */
  httpMethod?: 'GET' | 'POST';
}

export class SendspaceClient {
  readonly restUrl: string;
  sessionKey: string | undefined;

  constructor(
    baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.restUrl = restUrlOf(baseUrl);
  }

  /** Calls `method` with `params`; adds `session_key` when logged in and not given. */
  async call(method: string, params: Record<string, string | number | undefined> = {}): Promise<ApiResult> {
    const form = new URLSearchParams({ method });
    const all: Record<string, string | number | undefined> = { ...params };
    if (this.sessionKey && all.session_key === undefined && !method.toLowerCase().startsWith('auth.createtoken'))
      all.session_key = this.sessionKey;
    for (const [k, v] of Object.entries(all)) if (v !== undefined) form.set(k, String(v));
    const res =
      this.options.httpMethod === 'POST'
        ? await fetch(this.restUrl, { method: 'POST', body: form })
        : await fetch(`${this.restUrl}?${form.toString()}`);
    const xml = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${method}: ${xml.slice(0, 200)}`);
    return parseResult(xml);
  }

  /** auth.createToken + auth.login; keeps the session key for later calls. */
  async login(email: string, password: string): Promise<ApiResult> {
    const tokenResult = await this.call('auth.createToken', {
      api_key: this.options.apiKey ?? 'sendbay-client',
      api_version: this.options.apiVersion ?? '1.2',
    });
    if (tokenResult.status !== 'ok') return tokenResult;
    const token = String(tokenResult.body.token);
    const result = await this.call('auth.login', {
      token,
      user_name: email,
      tokened_password: md5(token + md5(password)),
    });
    if (result.status === 'ok') this.sessionKey = String(result.body.session_key);
    return result;
  }
}
