/** Every implemented method, by spec section. */
import type { HandlerTable } from '../handler.js';
import { addressbookHandlers } from './addressbook.js';
import { authHandlers } from './auth.js';

export const handlers: HandlerTable = {
  ...authHandlers,
  ...addressbookHandlers,
};
