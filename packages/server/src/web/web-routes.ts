/**
 * Every web page, in one Fastify scope whose POSTs pass the CSRF guard. A new page
 * registers here; it reads its visitor with `visitorOf` / `requireUser` (visitor.ts),
 * renders with `page()` (layout.ts) and words from `t` (strings.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerAssetRoutes } from './assets-route.js';
import { addCsrfGuard } from './csrf-guard.js';
import { registerActivationPage } from './pages/activation-page.js';
import { registerDeletePage } from './pages/delete-page.js';
import { registerFilePage } from './pages/file-page.js';
import { registerFolderPage } from './pages/folder-page.js';
import { registerLoginPages } from './pages/login-page.js';
import { registerManagerPages } from './pages/manager-routes.js';
import { registerPasswordPages } from './pages/password-pages.js';
import { registerRegisterPage } from './pages/register-page.js';
import { registerSettingsPages } from './pages/settings-pages.js';
import { registerUploadPages } from './upload/upload-route.js';

export function registerWebRoutes(app: FastifyInstance, services: Services): void {
  registerAssetRoutes(app);
  void app.register(async (scope) => {
    addCsrfGuard(scope, services);
    registerUploadPages(scope, services);
    registerFilePage(scope, services);
    registerDeletePage(scope, services);
    registerFolderPage(scope, services);
    registerActivationPage(scope, services);
    registerLoginPages(scope, services);
    registerManagerPages(scope, services);
    registerRegisterPage(scope, services);
    registerPasswordPages(scope, services);
    registerSettingsPages(scope, services);
  });
}
