/**
 * A cookie-keeping HTTP client for page tests, like a browser without JavaScript: it
 * keeps the cookies the server sets, and posts forms with the CSRF token of the page it
 * last loaded (or the one given). For real-browser tests see testing/browser.ts.
 */
export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The `csrf` hidden input of the page, if it has one. */
  csrf: string | undefined;
}

export class WebAgent {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(readonly base: string) {}

  private url(path: string): string {
    return path.startsWith('http') ? path : `${this.base}${path}`;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async read(res: Response): Promise<PageResponse> {
    this.keep(res);
    const text = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, headers: res.headers, text, csrf };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    const res = await fetch(this.url(path), {
      headers: { cookie: this.cookieHeader(), accept: 'text/html', ...headers },
      redirect: 'manual',
    });
    return this.read(res);
  }

  /** Posts a urlencoded form; `csrf` is added from the last page unless the form has one (or `csrf: null` drops it). */
  async post(path: string, form: Record<string, string | null>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const fields: Record<string, string> = {};
    if (!('csrf' in form) && this.csrf) fields.csrf = this.csrf;
    for (const [k, v] of Object.entries(form)) if (v !== null) fields[k] = v;
    const res = await fetch(this.url(path), {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    return this.read(res);
  }

  /** Loads the page (for its token), then posts the form to it. */
  async submit(path: string, form: Record<string, string | null>): Promise<PageResponse> {
    await this.get(path);
    return this.post(path, form);
  }
}
