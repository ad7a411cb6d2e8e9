/**
 * The `<result>` envelope every API answer uses. Layout per the compat notes:
 * `method` then `status`, the `<error/>` first on failure, payload first on success.
 */
import { API_ERRORS, type ApiErrorCode } from './errors.js';
import { el, serializeNode, XML_DECLARATION, type XmlNode } from './xml.js';

export interface ResultError {
  readonly code: ApiErrorCode;
  readonly text?: string;
  /** For list methods: the ids this error applies to (the `id` attribute). */
  readonly ids?: readonly string[];
}

function errorNode(e: ResultError): XmlNode {
  const attrs: [string, string | number][] = [
    ['code', e.code],
    ['text', e.text ?? API_ERRORS[e.code].text],
  ];
  if (e.ids && e.ids.length > 0) attrs.push(['id', e.ids.join(',')]);
  return el('error', attrs);
}

/**
 * The opening and closing lines of an ok `<result>`, for answers written piece by piece
 * (long listings): what goes between is `serializeNode(node, 1)` for each child.
 */
export function okResultOpening(method: string): string {
  const open = serializeNode(
    el(
      'result',
      [
        ['method', method],
        ['status', 'ok'],
      ],
      [el('x')],
    ),
  );
  return XML_DECLARATION + open.slice(0, open.indexOf('\n') + 1);
}

export const RESULT_CLOSING = '</result>\n';

/** A successful answer, with optional per-id errors after the payload (mixed answers). */
export function okResult(method: string, payload: readonly XmlNode[], errors: readonly ResultError[] = []): string {
  const root = el(
    'result',
    [
      ['method', method],
      ['status', 'ok'],
    ],
    [...payload, ...errors.map(errorNode)],
  );
  return XML_DECLARATION + serializeNode(root);
}

/** A failed answer: the error(s) first, then any extra children such as `<id>`. */
export function failResult(method: string, errors: readonly ResultError[], extra: readonly XmlNode[] = []): string {
  const root = el(
    'result',
    [
      ['method', method],
      ['status', 'fail'],
    ],
    [...errors.map(errorNode), ...extra],
  );
  return XML_DECLARATION + serializeNode(root);
}
