/**
 * The markup of `/files`: breadcrumbs, the folder tree, usage bars, and the listing,
 * one form around the table so that checked items are moved or deleted together
 * without any script. Sort links are the column headers; pages are keyset links.
 */
import type { AccountStatus } from '../../../domain/account-status.js';
import type { FilePage, FileSort } from '../../../domain/library/file-listing.js';
import type { FileView, FolderView } from '../../../domain/library/views.js';
import { humanSize, utcDate } from '../../../lib/format.js';
import { html, type Html } from '../../html.js';
import { t } from '../../strings.js';
import { csrfInput, type Visitor } from '../../visitor.js';
import { folderOptions, type TreeEntry } from './manager-common.js';

const m = t.manager;

export interface ListingState {
  folderId: string;
  sort: FileSort;
  descending: boolean;
  /** A name search instead of a folder. */
  q: string | undefined;
}

/** The `/files` URL of a state, with a page cursor when given. */
export function filesUrl(s: ListingState, cursor?: string): string {
  const p = new URLSearchParams();
  if (s.q !== undefined) p.set('q', s.q);
  else if (s.folderId !== '0') p.set('folder', s.folderId);
  if (s.sort !== 'name') p.set('sort', s.sort);
  if (s.descending) p.set('order', 'desc');
  if (cursor) p.set('cursor', cursor);
  const qs = p.toString();
  return qs ? `/files?${qs}` : '/files';
}

export function breadcrumbs(folder: FolderView, tree: readonly TreeEntry[]): Html {
  const byId = new Map(tree.map((e) => [e.folder.id, e.folder]));
  const chain: FolderView[] = [];
  // Own folders come with their ancestors from the tree; a team mate's shows alone.
  for (let f: FolderView | undefined = folder.id === '0' ? undefined : folder; f; f = byId.get(f.parentId)) {
    chain.unshift(f);
    if (chain.length > tree.length + 1) break;
  }
  const last = chain.length - 1;
  return html`<nav aria-label="${m.breadcrumbs}" class="crumbs">
    <ol>
      <li>${chain.length === 0 ? html`<span aria-current="page">${m.root}</span>` : html`<a href="/files">${m.root}</a>`}</li>
      ${chain.map((f, i) =>
        i === last
          ? html`<li><span aria-current="page">${f.name}</span></li>`
          : html`<li><a href="${filesUrl({ folderId: f.id, sort: 'name', descending: false, q: undefined })}">${f.name}</a></li>`,
      )}
    </ol>
  </nav>`;
}

export function folderTree(tree: readonly TreeEntry[], currentId: string): Html {
  if (tree.length === 0) return html`<p class="muted">${m.noFolders}</p>`;
  const link = (id: string, label: string) =>
    id === currentId
      ? html`<a href="${id === '0' ? '/files' : `/files?folder=${id}`}" aria-current="page">${label}</a>`
      : html`<a href="${id === '0' ? '/files' : `/files?folder=${id}`}">${label}</a>`;
  // A flat list indented by depth reads the same to screen readers as nested lists and
  // needs no recursion for deep trees.
  return html`<ul class="tree">
    <li>${link('0', m.root)}</li>
    ${tree.map(({ folder, depth }) => html`<li class="depth-${Math.min(depth, 8)}">${link(folder.id, folder.name)}</li>`)}
  </ul>`;
}

function bar(label: string, used: number, limit: number): Html {
  if (limit < 0) return html`<div class="usage"><span>${label}</span> <span>${m.usageUnlimited(humanSize(used))}</span></div>`;
  const text = m.usageOf(humanSize(used), humanSize(limit));
  return html`<div class="usage">
    <label><span>${label}</span> <span>${text}</span> <progress max="${limit}" value="${Math.min(used, limit)}">${text}</progress></label>
  </div>`;
}

export function usageBars(status: AccountStatus): Html {
  const bandwidthUsed = status.limits.monthlyBandwidth < 0 ? 0 : status.limits.monthlyBandwidth - status.bandwidthLeft;
  return html`<section aria-labelledby="usage-h" class="usage-bars">
    <h2 id="usage-h" class="small">${m.usage}</h2>
    ${bar(m.disk, status.diskspaceUsed, status.limits.diskSpace)}
    ${status.limits.monthlyBandwidth < 0 ? bar(m.bandwidth, 0, -1) : bar(m.bandwidth, bandwidthUsed, status.limits.monthlyBandwidth)}
  </section>`;
}

function sortHeader(s: ListingState, sort: FileSort, label: string): Html {
  const active = s.sort === sort;
  const descending = active ? !s.descending : sort !== 'name';
  const aria = active ? html`aria-sort="${s.descending ? 'descending' : 'ascending'}"` : '';
  return html`<th scope="col" ${aria}>
    <a href="${filesUrl({ ...s, sort, descending })}">${label}${active ? (s.descending ? ' ↓' : ' ↑') : ''}</a>
  </th>`;
}

function folderRow(f: FolderView): Html {
  const readOnly = f.notOwned;
  return html`<tr class="folder-row">
    <td>
      ${readOnly ? '' : html`<input type="checkbox" name="folder" value="${f.id}" id="sel-d-${f.id}" aria-label="${m.select(f.name)}" />`}
    </td>
    <td>
      <a href="/files?folder=${f.id}">📁 ${f.name}</a>
      ${f.shared ? html`<span class="badge">${m.public}</span>` : ''} ${readOnly ? html`<span class="muted">${m.teamFolder}</span>` : ''}
      ${readOnly ? '' : html` · <a href="/files/folder/${f.id}" class="small">${m.folderSettings}</a>`}
    </td>
    <td></td>
    <td></td>
    <td></td>
  </tr>`;
}

function fileRow(f: FileView): Html {
  return html`<tr>
    <td>
      ${f.notOwned ? '' : html`<input type="checkbox" name="file" value="${f.id}" id="sel-f-${f.id}" aria-label="${m.select(f.name)}" />`}
    </td>
    <td>
      <a href="/files/file/${f.id}">${f.name}</a> ${f.passwordProtected ? html`<span class="badge">${m.protectedMark}</span>` : ''}
      ${f.description ? html`<div class="muted small">${f.description}</div>` : ''}
    </td>
    <td>${humanSize(f.size)}</td>
    <td>${utcDate(f.uploadTime)}</td>
    <td>${f.downloads}</td>
  </tr>`;
}

export function listing(opts: {
  state: ListingState;
  page: Omit<FilePage, 'folder' | 'folders'>;
  folders: readonly FolderView[];
  tree: readonly TreeEntry[];
  visitor: Visitor;
  readOnly: boolean;
}): Html {
  const { state: s, page: p } = opts;
  const empty = opts.folders.length === 0 && p.files.length === 0;
  const table = html`<table class="listing">
    <caption class="sr-only">
      ${m.files}
    </caption>
    <thead>
      <tr>
        <th scope="col">
          <input type="checkbox" data-select-all="file,folder" aria-label="${m.selectAll}" hidden />
        </th>
        ${sortHeader(s, 'name', m.name)} ${sortHeader(s, 'size', m.size)} ${sortHeader(s, 'date', m.date)}
        <th scope="col">${m.downloads}</th>
      </tr>
    </thead>
    <tbody>
      ${opts.folders.map(folderRow)} ${p.files.map(fileRow)}
    </tbody>
  </table>`;
  const actions = opts.readOnly
    ? ''
    : html`<fieldset class="bulk">
        <legend>${m.selected}</legend>
        <label for="move-target">${m.moveTo}</label>
        <select id="move-target" name="target">
          ${folderOptions(opts.tree, s.folderId)}
        </select>
        <button type="submit" name="action" value="move" class="secondary">${m.move}</button>
        <button type="submit" name="action" value="delete" class="danger">${m.delete}</button>
      </fieldset>`;
  const pager =
    p.previous || p.next
      ? html`<nav aria-label="${m.paging}" class="pager">
          ${p.previous ? html`<a href="${filesUrl(s)}">${m.first}</a> <a href="${filesUrl(s, p.previous)}" rel="prev">${m.previous}</a>` : ''}
          ${p.next ? html`<a href="${filesUrl(s, p.next)}" rel="next">${m.next}</a>` : ''}
        </nav>`
      : '';
  if (empty && !p.previous) return html`<p class="muted">${m.empty}</p>`;
  return html`<form method="post" action="/files/bulk" class="listing-form">
      ${csrfInput(opts.visitor)}
      <input type="hidden" name="back" value="${filesUrl(s)}" />
      ${actions}
      <div class="table-wrap">${table}</div>
    </form>
    ${pager}`;
}
