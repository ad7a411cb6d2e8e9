/**
 * Pure computations over a set of folder rows (an account's whole tree, or a team
 * mate's shared subtrees): depth-first order and totals rolled up from per-folder
 * counts. Linear in the number of folders; no recursion, so depth cannot overflow.
 */
import type { Totals } from '../../metadata/repositories/library-files.js';
import type { FolderRow } from '../../metadata/repositories/library-folders.js';
import type { FolderTotals } from './views.js';

function childrenByParent(rows: readonly FolderRow[]): { roots: FolderRow[]; children: Map<string, FolderRow[]> } {
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<string, FolderRow[]>();
  const roots: FolderRow[] = [];
  for (const r of rows) {
    if (!ids.has(r.parent_id)) roots.push(r);
    else {
      const list = children.get(r.parent_id);
      if (list) list.push(r);
      else children.set(r.parent_id, [r]);
    }
  }
  return { roots, children };
}

/** Parents before their children, siblings in the order given. */
export function treeOrder(rows: readonly FolderRow[]): FolderRow[] {
  const { roots, children } = childrenByParent(rows);
  const out: FolderRow[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const r = stack.pop() as FolderRow;
    out.push(r);
    const kids = children.get(r.id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as FolderRow);
  }
  return out;
}

/**
 * Each folder's totals over its whole subtree: files and bytes in it and in every
 * folder below it, and how many folders are below it.
 */
export function subtreeTotals(rows: readonly FolderRow[], direct: ReadonlyMap<string, Totals>): Map<string, FolderTotals> {
  const { children } = childrenByParent(rows);
  const totals = new Map<string, FolderTotals>();
  // Children come after their parent in tree order: walking it backwards sums bottom-up.
  const ordered = treeOrder(rows);
  for (let i = ordered.length - 1; i >= 0; i--) {
    const r = ordered[i] as FolderRow;
    const own = direct.get(r.id);
    const t: FolderTotals = { files: own?.files ?? 0, size: own?.size ?? 0, folders: 0 };
    for (const kid of children.get(r.id) ?? []) {
      const k = totals.get(kid.id);
      if (!k) continue;
      t.files += k.files;
      t.size += k.size;
      t.folders += k.folders + 1;
    }
    totals.set(r.id, t);
  }
  return totals;
}
