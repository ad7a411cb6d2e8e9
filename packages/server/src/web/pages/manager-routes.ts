/** The logged-in pages beyond accounts: the file manager, the address book, the account page, the admin pages. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { registerAccountPage } from './account-page.js';
import { registerAdminPages } from './admin-users-page.js';
import { registerBulkActions } from './files/bulk-actions.js';
import { registerContactsPage } from './files/contacts-page.js';
import { registerFilePage as registerOwnFilePage } from './files/file-page.js';
import { registerFilesPage } from './files/files-page.js';
import { registerFolderSettingsPage } from './files/folder-page.js';

export function registerManagerPages(scope: FastifyInstance, services: Services): void {
  registerFilesPage(scope, services);
  registerBulkActions(scope, services);
  registerOwnFilePage(scope, services);
  registerFolderSettingsPage(scope, services);
  registerContactsPage(scope, services);
  registerAccountPage(scope, services);
  registerAdminPages(scope, services);
}
