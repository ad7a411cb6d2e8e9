/** files.*: a user's stored files (rules in domain/library/files.ts). */
import type { HandlerTable } from '../handler.js';
import { fileNode, minimalFileNode } from '../present-file.js';
import { idListOutcome } from '../present-id-list.js';

export const filesHandlers: HandlerTable = {
  'files.getInfo': async ({ params, session, services }) =>
    idListOutcome(await services.libraryFiles.getInfo(session.user, params.file_id), fileNode, { idElement: 'mixed' }),

  'files.setInfo': async ({ params, session, services }) =>
    idListOutcome(
      await services.libraryFiles.setInfo(session.user, params.file_id, {
        name: params.name,
        description: params.description,
        password: params.password,
        folderId: params.folder_id,
        timeLimit: params.time_limit,
        downloadLimit: params.download_limit,
        limitAction: params.limit_action,
        limitActionToFolder: params.limit_action_to_folder,
        businessShared: params.business_shared,
      }),
      fileNode,
      { idElement: 'mixed' },
    ),

  'files.moveToFolder': async ({ params, session, services }) =>
    idListOutcome(await services.libraryFiles.moveToFolder(session.user, params.file_id, params.folder_id), fileNode, {
      idElement: 'always',
    }),

  'files.delete': async ({ params, session, services }) =>
    idListOutcome(await services.libraryFiles.delete(session.user, params.file_id), minimalFileNode, { idElement: 'always' }),

  'files.sendMail': async ({ params, session, services }) =>
    idListOutcome(
      await services.libraryFiles.sendMail(session.user, params.file_id, {
        emails: params.emails,
        message: params.message,
        directLink: params.direct_link === 1,
      }),
      () => null,
      { idElement: 'always' },
    ),
};
