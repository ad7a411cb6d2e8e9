/** addressbook.*: the user's contacts (spec section "Address Book"). */
import { contactRecord, textEl, type XmlNode } from '@sendbay/protocol';
import type { ContactRow } from '../../domain/contacts.js';
import type { HandlerTable } from '../handler.js';

function contactNode(c: ContactRow): XmlNode {
  return contactRecord.encode({ email: c.email, name: c.name, description: c.description, type: c.type });
}

export const addressbookHandlers: HandlerTable = {
  'addressbook.list': async ({ session, services }) => (await services.contacts.list(session.user.id)).map(contactNode),

  'addressbook.add': async ({ params, session, services }) => [
    contactNode(
      await services.contacts.add(session.user, {
        email: params.email,
        name: params.name,
        description: params.description,
        type: params.type ?? undefined,
      }),
    ),
  ],

  'addressbook.update': async ({ params, session, services }) => [
    contactNode(
      await services.contacts.update(session.user.id, params.email, {
        name: params.name,
        description: params.description,
        type: params.type,
      }),
    ),
  ],

  /**
   * Deletes every listed address that is in the book. Like the spec's mixed list
   * answers: status ok with `<email>` naming what was deleted (comma list), followed by
   * `<error code="29" … id="a@x,b@y"/>` for the addresses that were not there; when
   * none were, status fail with that same error first.
   */
  'addressbook.delete': async ({ params, session, services }) => {
    const { deleted, missing } = await services.contacts.delete(session.user.id, params.email);
    return {
      payload: deleted.length > 0 ? [textEl('email', deleted.join(','))] : [],
      errors: missing.length > 0 ? [{ code: 29, ids: missing }] : [],
    };
  },
};
