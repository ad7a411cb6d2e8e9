/**
 * The file manager's listing, on top of a page that works without it: a "select all"
 * box in the table head (hidden until this runs) checks every row's box, and shows
 * itself partly checked when only some are.
 */
export function wireSelectAll(root: ParentNode): void {
  for (const all of root.querySelectorAll<HTMLInputElement>('input[data-select-all]')) {
    const form = all.form;
    if (!form) continue;
    const names = (all.dataset.selectAll ?? '').split(',');
    const boxes = () =>
      [...form.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((b) => b !== all && names.includes(b.name));
    if (boxes().length === 0) continue;
    all.hidden = false;
    all.addEventListener('change', () => {
      for (const b of boxes()) b.checked = all.checked;
    });
    form.addEventListener('change', (e) => {
      if (e.target === all) return;
      const list = boxes();
      const checked = list.filter((b) => b.checked).length;
      all.checked = checked === list.length;
      all.indeterminate = checked > 0 && checked < list.length;
    });
  }
}

wireSelectAll(document);
