/** Every implemented method, by spec section. */
import type { HandlerTable } from '../handler.js';
import { addressbookHandlers } from './addressbook.js';
import { anonymousMailHandlers } from './anonymous-mail.js';
import { authHandlers } from './auth.js';
import { downloadHandlers } from './download.js';

export const handlers: HandlerTable = {
  ...authHandlers,
  ...downloadHandlers,
  ...anonymousMailHandlers,
  ...addressbookHandlers,
};
