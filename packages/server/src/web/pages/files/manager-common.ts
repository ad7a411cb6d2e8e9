/**
 * What the file manager's pages share: the owner's folder choices for a <select>, the
 * notices shown after a POST + redirect (by code, never text from the URL), and the
 * words for the domain's refusals.
 */
import { ApiError } from '@sendbay/protocol';
import type { FolderView } from '../../../domain/library/views.js';
import { webAssets } from '../../assets.js';
import { html, type Html } from '../../html.js';
import { t } from '../../strings.js';

const m = t.manager;

export interface TreeEntry {
  folder: FolderView;
  depth: number;
}

/**
 * `<option>`s for "my files" and each own folder, indented by depth. `exclude` leaves
 * out a folder and everything below it (a folder cannot move into itself).
 */
export function folderOptions(tree: readonly TreeEntry[], selected: string, exclude?: string): Html {
  const options: Html[] = [html`<option value="0" ${selected === '0' ? html`selected` : ''}>${m.root}</option>`];
  let skipBelow: number | undefined;
  for (const { folder, depth } of tree) {
    if (skipBelow !== undefined && depth > skipBelow) continue;
    skipBelow = undefined;
    if (folder.id === exclude) {
      skipBelow = depth;
      continue;
    }
    // Non-breaking spaces indent: options cannot hold markup.
    const indent = '\u00a0\u00a0'.repeat(depth + 1);
    options.push(html`<option value="${folder.id}" ${selected === folder.id ? html`selected` : ''}>${indent}${folder.name}</option>`);
  }
  return html`${options}`;
}

/** The notices a redirect may ask for: `?done=<code>&n=<count>`. */
export function notice(query: { done?: string | undefined; n?: string | undefined }): Html {
  const n = Math.max(0, Math.min(1_000_000, Number.parseInt(query.n ?? '0', 10) || 0));
  const ok: Record<string, string> = {
    moved: m.done.moved(n),
    deleted: m.done.deleted(n),
    created: m.done.created,
    saved: m.done.saved,
    mailed: m.done.mailed(n),
    'folder-deleted': m.done.folderDeleted,
  };
  const bad: Record<string, string> = { 'none-selected': m.errors.nothingSelected, 'some-failed': m.errors.someFailed(n) };
  const code = query.done ?? '';
  if (Object.hasOwn(ok, code)) return html`<p class="msg ok" role="status">${ok[code]}</p>`;
  if (Object.hasOwn(bad, code)) return html`<p class="msg error" role="alert">${bad[code]}</p>`;
  return html``;
}

/** The message for a refusal of the library domain; other errors are not the visitor's doing and propagate. */
export function refusal(err: unknown): string {
  if (!(err instanceof ApiError)) throw err;
  switch (err.code) {
    case 21:
      return /control/.test(err.message) ? m.errors.controlChars : m.errors.emptyName;
    case 10:
      return m.errors.unknownFolder;
    case 31:
      return m.errors.intoItself;
    case 11:
      return /team/.test(err.message) && !/team mate/.test(err.message) ? m.errors.teamOnly : m.errors.readOnly;
    default:
      throw err;
  }
}

/** A whole number 0..max from a form field; undefined when it is not one. */
export function wholeNumber(raw: string | null, max: number): number | undefined {
  const s = (raw ?? '').trim();
  if (s === '') return 0;
  if (!/^\d{1,12}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** The stylesheet of the manager, account and admin pages, besides app.css. */
export function managerHead(): Html {
  return html`<link rel="stylesheet" href="${webAssets().url('manager.css')}" />`;
}
