/**
 * A typed client for any sendspace-compatible endpoint. `call()` sends one method and
 * parses the `<result>`; `login()` does the token + md5 dance the protocol asks for.
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, jpath) => ['result.file', 'result.folder', 'result.contact', 'result.error'].includes(String(jpath)),
});

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** Attributes of child elements lose their parser prefix; `<result>`'s own are kept apart. */
function unprefix(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unprefix);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.startsWith('@_') ? k.slice(2) : k, unprefix(x)]));
}

export function parseResult(xml: string): ApiResult {
  const doc = parser.parse(xml) as { result?: Record<string, unknown> };
  const raw = doc.result;
  if (!raw || typeof raw !== 'object') throw new Error(`not a <result> document: ${xml.slice(0, 200)}`);
  const method = raw['@_method'];
  const status = raw['@_status'];
  const result = unprefix(Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('@_')))) as Record<string, unknown>;
  const errors = ((result.error as Record<string, string>[] | undefined) ?? []).map((e) => ({
    code: Number(e.code),
    text: String(e.text ?? ''),
    ...(e.id !== undefined ? { id: String(e.id) } : {}),
  }));
  const { error: _e, ...body } = result;
  void _e;
  return {
    method: String(method ?? ''),
    status: status === 'ok' ? 'ok' : 'fail',
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
    this.restUrl = baseUrl.replace(/\/+$/, '') + '/rest/';
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
