/** download.getInfo: a direct link for a file id or download-page URL. */
import { downloadInfoRecord } from '@sendbay/protocol';
import type { HandlerTable } from '../handler.js';

export const downloadHandlers: HandlerTable = {
  'download.getInfo': async ({ params, session, services, address }) => {
    const { file, url } = await services.downloads.getInfo(session.user, params.file_id, params.password, address);
    return [downloadInfoRecord.encode({ fileId: file.id, name: file.name, url, fileSize: file.size })];
  },
};
