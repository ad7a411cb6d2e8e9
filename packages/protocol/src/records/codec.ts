/**
 * A record codec turns one typed record into the XML node the server sends and back.
 * The server encodes with it; the SDK decodes the parsed answer with it, so both sides
 * agree on every attribute name, order and value format by construction.
 */
import type { XmlNode } from '../xml.js';
import type { ParsedElement } from '../xml-parse.js';

export interface RecordCodec<T, N extends XmlNode = XmlNode> {
  /** The element name the record travels as. */
  readonly tag: string;
  encode(value: T): N;
  decode(node: ParsedElement): T;
}

/** A whole number from an attribute or text; '' and garbage read as 0. */
export function num(v: string | undefined): number {
  const n = Number(v ?? '');
  return Number.isFinite(n) ? n : 0;
}

/** 1/0 on the wire. */
export function bool(v: string | undefined): boolean {
  return v === '1' || v === 'true';
}

export function bit(b: boolean): 0 | 1 {
  return b ? 1 : 0;
}

/** An attribute that may be absent (kept undefined, unlike '' which is a value). */
export function opt(attrs: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
}
