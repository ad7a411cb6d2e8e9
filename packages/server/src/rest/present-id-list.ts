/**
 * The spec's three answers of a method given an id list:
 * - all ok: the payload (`<id>` of the ids first for methods whose answer lists them),
 * - all failed: status="fail", the error(s) first, then `<id>` of the ids that failed,
 * - mixed: status="ok", `<id>` of the ids that succeeded first, their elements, then one
 *   `<error code text id="a,b">` per reason.
 * An error names its ids in an `id` attribute whenever several ids were sent.
 */
import { textEl, type ResultError, type XmlNode } from '@sendbay/protocol';
import type { IdResult } from '../domain/library/id-results.js';
import type { ListOutcome } from './handler.js';

export function idListOutcome<T>(
  results: readonly IdResult<T>[],
  present: (value: T) => XmlNode | null,
  opts: { idElement: 'always' | 'mixed' },
): ListOutcome {
  const ok = results.filter((r) => !r.error);
  const bad = results.filter((r) => r.error);
  const several = results.length > 1;
  const errors: ResultError[] = [];
  const byReason = new Map<string, { code: ResultError['code']; text: string; ids: string[] }>();
  for (const r of bad) {
    const e = r.error!;
    const key = `${e.code}\0${e.text}`;
    const group = byReason.get(key);
    if (group) group.ids.push(r.id);
    else byReason.set(key, { code: e.code, text: e.text, ids: [r.id] });
  }
  for (const g of byReason.values()) errors.push({ code: g.code, text: g.text, ...(several ? { ids: g.ids } : {}) });

  if (ok.length === 0) return { payload: [], errors, failExtra: [textEl('id', bad.map((r) => r.id).join(','))] };
  const payload: XmlNode[] = [];
  if (opts.idElement === 'always' || bad.length > 0) payload.push(textEl('id', ok.map((r) => r.id).join(',')));
  for (const r of ok) {
    const node = present(r.value as T);
    if (node) payload.push(node);
  }
  return { payload, errors };
}
