/**
 * XML built from nodes, never from string concatenation. `escapeXml` is the one place
 * text becomes markup. The serializer writes one element per line with four-space
 * indentation, the layout that regex-based clients of the real service rely on.
 */
export type XmlAttrValue = string | number | bigint | boolean | null | undefined;

export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  /** Attribute order is preserved: some clients parse with order-sensitive regexes. */
  readonly attrs: ReadonlyArray<readonly [string, XmlAttrValue]>;
  readonly children: readonly XmlNode[];
  /** Attribute names that start on a continuation line (see the `<upload/>` layout). */
  readonly breakBefore?: readonly string[];
}

export interface XmlText {
  readonly kind: 'text';
  readonly name: string;
  readonly value: XmlAttrValue;
}

export type XmlNode = XmlElement | XmlText;

/** An element with attributes (in the given order) and optional children. */
export function el(
  name: string,
  attrs: Record<string, XmlAttrValue> | ReadonlyArray<readonly [string, XmlAttrValue]> = [],
  children: readonly XmlNode[] = [],
  breakBefore?: readonly string[],
): XmlElement {
  const list = Array.isArray(attrs) ? attrs : Object.entries(attrs);
  return { kind: 'element', name, attrs: list, children, ...(breakBefore ? { breakBefore } : {}) };
}

/** A text-only element such as `<token>…</token>`: no attributes, one line. */
export function textEl(name: string, value: XmlAttrValue): XmlText {
  return { kind: 'text', name, value };
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes text for an attribute or element body. Characters XML 1.0 cannot carry at
 * all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are replaced
 * with U+FFFD so the document always parses.
 */
/** Anything that needs escaping or replacing; most values (ids, numbers) have none. */
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function escapeXml(value: XmlAttrValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  if (!NEEDS_WORK.test(s)) return s;
  return s
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string)
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    )
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function writeAttrs(node: XmlElement, indent: string): string {
  let out = '';
  for (const [name, value] of node.attrs) {
    if (value === undefined) continue;
    const sep = node.breakBefore?.includes(name) ? `\n${indent}    ` : ' ';
    out += `${sep}${name}="${escapeXml(value)}"`;
  }
  return out;
}

export function serializeNode(node: XmlNode, depth = 0): string {
  const indent = '    '.repeat(depth);
  if (node.kind === 'text') return `${indent}<${node.name}>${escapeXml(node.value)}</${node.name}>\n`;
  const attrs = writeAttrs(node, indent);
  if (node.children.length === 0) return `${indent}<${node.name}${attrs}/>\n`;
  let out = `${indent}<${node.name}${attrs}>\n`;
  for (const child of node.children) out += serializeNode(child, depth + 1);
  return `${out}${indent}</${node.name}>\n`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A whole XML document with the declaration, for answers that are not `<result>`. */
export function xmlDocument(root: XmlNode): string {
  return XML_DECLARATION + serializeNode(root);
}
