/**
 * A small XML reader for the documents sendspace-compatible servers send: elements,
 * attributes, text, the five named entities and numeric references. It is what the
 * record codecs decode from, so the SDK needs no XML library and runs in browsers.
 * Comments, processing instructions, DOCTYPE and CDATA are understood well enough to
 * be skipped or read; anything malformed throws XmlParseError.
 */
export interface ParsedElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly ParsedElement[];
  /** The element's own text (children's text not included), trimmed. */
  readonly text: string;
}

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

interface Building {
  name: string;
  attrs: Record<string, string>;
  children: ParsedElement[];
  text: string;
}

/** Parses a whole document and returns its root element. */
export function parseXml(xml: string): ParsedElement {
  const stack: Building[] = [];
  let root: ParsedElement | undefined;
  let i = 0;
  const n = xml.length;
  const close = (b: Building) => {
    const done: ParsedElement = { name: b.name, attrs: b.attrs, children: b.children, text: b.text.trim() };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(done);
    else if (!root) root = done;
    else throw new XmlParseError('more than one root element');
  };
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const top = stack[stack.length - 1];
      const chunk = xml.slice(i, textEnd);
      if (top) top.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw new XmlParseError('text outside the root element');
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<?', i)) i = skipTo(xml, i, '?>');
    else if (xml.startsWith('<!--', i)) i = skipTo(xml, i, '-->');
    else if (xml.startsWith('<![CDATA[', i)) {
      const end = skipTo(xml, i, ']]>');
      const top = stack[stack.length - 1];
      if (top) top.text += xml.slice(i + 9, end - 3);
      i = end;
    } else if (xml.startsWith('<!', i)) i = skipTo(xml, i, '>');
    else if (xml.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      const top = stack.pop();
      if (!m || !top || top.name !== m[0]) throw new XmlParseError(`unexpected closing tag at ${i}`);
      i = skipTo(xml, i, '>');
      close(top);
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) throw new XmlParseError(`bad tag at ${i}`);
      const b: Building = { name: m[0], attrs: {}, children: [], text: '' };
      i = NAME.lastIndex;
      for (;;) {
        ATTR.lastIndex = i;
        const a = ATTR.exec(xml);
        if (!a) break;
        b.attrs[a[1] as string] = decodeEntities(a[2] ?? a[3] ?? '');
        i = ATTR.lastIndex;
      }
      while (i < n && /\s/.test(xml[i] as string)) i++;
      if (xml.startsWith('/>', i)) {
        i += 2;
        close(b);
      } else if (xml[i] === '>') {
        i += 1;
        stack.push(b);
      } else throw new XmlParseError(`bad tag <${b.name}> at ${i}`);
    }
  }
  if (stack.length > 0) throw new XmlParseError(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new XmlParseError('no root element');
  return root;
}

function skipTo(xml: string, from: number, end: string): number {
  const at = xml.indexOf(end, from);
  if (at < 0) throw new XmlParseError('unterminated markup');
  return at + end.length;
}

/** The first child called `name`, if any. */
export function child(node: ParsedElement, name: string): ParsedElement | undefined {
  return node.children.find((c) => c.name === name);
}

/** Text of the first child called `name` ('' when there is none). */
export function childText(node: ParsedElement, name: string): string {
  return child(node, name)?.text ?? '';
}
