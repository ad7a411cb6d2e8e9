/**
 * The frame every page shares: the header with the visitor's login state, the main
 * column, the footer. Styles and scripts come from `/assets/` only (see csp.ts); the
 * page is complete without its scripts, which are modules and run after it is shown.
 */
import { webAssets, type AssetName } from './assets.js';
import { html, type Html } from './html.js';
import { t } from './strings.js';
import { csrfInput, type Visitor } from './visitor.js';

export interface PageOptions {
  title: string;
  body: Html;
  /** The visitor, for the header's login state; pages shown to tools only may omit it. */
  visitor?: Visitor | undefined;
  /** Script modules besides app.js. */
  scripts?: AssetName[];
  head?: Html;
  /** The path of the page, to mark its menu entry. */
  path?: string;
}

function nav(visitor: Visitor | undefined, path: string | undefined): Html {
  const link = (href: string, label: string) =>
    html`<li><a href="${href}" ${path === href ? html`aria-current="page"` : ''}>${label}</a></li>`;
  // The header holds exactly one form whoever looks: the delete page's tools count forms.
  if (!visitor?.user)
    return html`<ul>
      ${link('/', t.layout.upload)} ${link('/register', t.layout.register)}
      <li>
        <form method="get" action="/login"><button type="submit" class="link">${t.layout.login}</button></form>
      </li>
    </ul>`;
  return html`<ul>
    ${link('/', t.layout.upload)} ${link('/files', t.layout.files)} ${link('/account', t.layout.account)}
    ${visitor.user.is_admin ? link('/admin/users', t.admin.title) : ''}
    <li class="who">${t.layout.signedInAs(visitor.user.email)}</li>
    <li>
      <form method="post" action="/logout">${csrfInput(visitor)}<button type="submit" class="link">${t.layout.logout}</button></form>
    </li>
  </ul>`;
}

export function page(opts: PageOptions): string;
/** The older signature: title and body only. */
export function page(title: string, body: Html, opts?: { head?: Html }): string;
export function page(a: PageOptions | string, body?: Html, extra: { head?: Html } = {}): string {
  const o: PageOptions = typeof a === 'string' ? { title: a, body: body ?? html``, ...extra } : a;
  const assets = webAssets();
  const scripts: AssetName[] = ['app.js', ...(o.scripts ?? [])];
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="data:," />
        <title>${o.title} · ${t.brand}</title>
        <link rel="stylesheet" href="${assets.url('app.css')}" />
        ${scripts.map((s) => html`<script type="module" src="${assets.url(s)}"></script>`)} ${o.head}
      </head>
      <body>
        <a class="skip" href="#main">${t.layout.skip}</a>
        <header class="site-header">
          <div class="inner">
            <a class="brand" href="/">${t.brand}</a>
            <nav aria-label="${t.layout.nav}">${nav(o.visitor, o.path)}</nav>
          </div>
        </header>
        <main id="main">${o.body}</main>
      </body>
    </html> `.value;
}
