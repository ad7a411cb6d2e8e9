/** folders.*: a user's folder tree and public folders (rules in domain/library/). */
import type { HandlerTable } from '../handler.js';
import { fileNode, sharedFileNode } from '../present-file.js';
import { folderNode, minimalFolderNode, sharedFolderNode } from '../present-folder.js';
import { idListOutcome } from '../present-id-list.js';

export const foldersHandlers: HandlerTable = {
  'folders.getInfo': async ({ params, session, services }) => {
    const { folder, totals } = await services.libraryFolders.getInfo(session.user, params.folder_id);
    return [folderNode(folder, totals)];
  },

  'folders.create': async ({ params, session, services }) => [
    folderNode(
      await services.libraryFolders.create(session.user, { name: params.name, shared: params.shared, parentId: params.parent_folder_id }),
    ),
  ],

  'folders.setInfo': async ({ params, session, services }) => [
    folderNode(
      await services.libraryFolders.setInfo(session.user, params.folder_id, {
        name: params.name,
        shared: params.shared,
        parentId: params.parent_folder_id,
        folderPassword: params.folder_password,
        businessShared: params.business_shared,
      }),
    ),
  ],

  'folders.delete': async ({ params, session, services }) =>
    idListOutcome(await services.libraryFolders.delete(session.user, params.folder_id), minimalFolderNode, { idElement: 'always' }),

  'folders.getContents': async ({ params, session, services }) => {
    const { folders, files } = await services.libraryFolders.getContents(session.user, params.folder_id);
    return {
      head: folders.map((f) => folderNode(f)),
      rest: (async function* () {
        for await (const page of files) yield page.map(fileNode);
      })(),
    };
  },

  'folders.getShared': async ({ params, session, services, address }) => {
    const { current, folders, files } = await services.sharedFolders.getShared(
      session.user,
      params.folder_id,
      params.folder_password,
      address,
    );
    return [sharedFolderNode(current, 'current'), ...folders.map((f) => sharedFolderNode(f)), ...files.map(sharedFileNode)];
  },

  'folders.getAll': async ({ session, services }) =>
    (await services.libraryFolders.getAll(session.user)).map(({ folder, totals }) => folderNode(folder, totals)),

  'folders.move': async ({ params, session, services }) =>
    idListOutcome(await services.libraryFolders.move(session.user, params.folder_id, params.parent_folder_id), minimalFolderNode, {
      idElement: 'always',
    }),

  'folders.sendMail': async ({ params, session, services }) =>
    idListOutcome(
      await services.libraryFolders.sendMail(session.user, params.folder_id, { emails: params.emails, message: params.message }),
      () => null,
      {
        idElement: 'always',
      },
    ),
};
