/** The address book's `<contact>` element. */
import { el, type XmlElement } from '../xml.js';
import { num, type RecordCodec } from './codec.js';

export interface ContactRecord {
  email: string;
  name: string;
  description: string;
  /** 0 or 1 as the spec's `type` flag. */
  type: number;
}

export const contactRecord: RecordCodec<ContactRecord, XmlElement> = {
  tag: 'contact',
  // Attribute order as the spec shows it: email, name, description, type.
  encode: (c) =>
    el('contact', [
      ['email', c.email],
      ['name', c.name],
      ['description', c.description],
      ['type', c.type],
    ]),
  decode: ({ attrs: a }) => ({ email: a.email ?? '', name: a.name ?? '', description: a.description ?? '', type: num(a.type) }),
};
