/** Every implemented method, by spec section. */
import type { HandlerTable } from '../handler.js';
import { authHandlers } from './auth.js';

export const handlers: HandlerTable = {
  ...authHandlers,
};
