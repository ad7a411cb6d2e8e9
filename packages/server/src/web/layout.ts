/** The page frame every server-rendered page shares. */
import { html, unsafeRawHtml, type Html } from './html.js';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d2330;background:#fafbfc}
header{display:flex;align-items:center;gap:.5rem;margin-bottom:1.5rem}header a{font-weight:700;font-size:1.3rem;color:#0b5fff;text-decoration:none}
main{background:#fff;border:1px solid #e3e7ee;border-radius:10px;padding:1.5rem}
h1{font-size:1.4rem;margin-top:0;word-break:break-word}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{color:#5b6475}dd{margin:0;word-break:break-word}
.button,button{display:inline-block;background:#0b5fff;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;font-size:1rem;text-decoration:none;cursor:pointer}
.danger{background:#c62828}input[type=password],input[type=text]{padding:.5rem;border:1px solid #c9cfd9;border-radius:6px;font-size:1rem}
.error{color:#c62828}.muted{color:#5b6475}table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #eef0f4}
`;

export function page(title: string, body: Html, opts: { head?: Html } = {}): string {
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} · Sendbay</title>
        <style>
          ${unsafeRawHtml(STYLE)}
        </style>
        ${opts.head}
      </head>
      <body>
        <header><a href="/">Sendbay</a></header>
        <main>${body}</main>
      </body>
    </html> `.value;
}
