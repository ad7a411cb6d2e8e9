/** Every implemented method, by spec section. */
import type { HandlerTable } from '../handler.js';
import { addressbookHandlers } from './addressbook.js';
import { anonymousMailHandlers } from './anonymous-mail.js';
import { authHandlers } from './auth.js';
import { downloadHandlers } from './download.js';
import { filesHandlers } from './files.js';
import { foldersHandlers } from './folders.js';
import { uploadHandlers } from './upload.js';

export const handlers: HandlerTable = {
  ...authHandlers,
  ...downloadHandlers,
  ...anonymousMailHandlers,
  ...addressbookHandlers,
  ...filesHandlers,
  ...foldersHandlers,
  ...uploadHandlers,
};
