/**
 * The reading side of the `<result>` envelope: status, the `<error/>` elements (with
 * the ids a list method names in their `id` attribute) and the element itself for the
 * method's result decoder.
 */
import { API_ERRORS, isApiErrorCode } from './errors.js';
import { parseXml, type ParsedElement } from './xml-parse.js';

export interface DecodedError {
  code: number;
  /** The spec's name (API_ERROR_…), or 'UNKNOWN' for a code outside the table. */
  name: string;
  text: string;
  /** The ids this error applies to; empty when the error is about the whole call. */
  ids: string[];
}

export interface DecodedResult {
  method: string;
  status: 'ok' | 'fail';
  errors: DecodedError[];
  root: ParsedElement;
}

export function errorName(code: number): string {
  return isApiErrorCode(code) ? API_ERRORS[code].name : 'UNKNOWN';
}

export function splitList(s: string | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** Throws (XmlParseError or Error) when the text is not a `<result>` document. */
export function decodeResult(xml: string): DecodedResult {
  const root = parseXml(xml);
  if (root.name !== 'result') throw new Error(`expected <result>, got <${root.name}>`);
  return { method: root.attrs.method ?? '', status: root.attrs.status === 'ok' ? 'ok' : 'fail', errors: errorsOf(root), root };
}

/** The `<error/>` children of a `<result>` element. */
export function errorsOf(root: ParsedElement): DecodedError[] {
  return root.children
    .filter((c) => c.name === 'error')
    .map((e) => {
      const code = Number(e.attrs.code ?? 0);
      return { code, name: errorName(code), text: e.attrs.text ?? '', ids: splitList(e.attrs.id) };
    });
}
