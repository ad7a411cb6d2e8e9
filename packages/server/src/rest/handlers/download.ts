/** download.getInfo: a direct link for a file id or download-page URL. */
import { el } from '@sendbay/protocol';
import type { HandlerTable } from '../handler.js';

export const downloadHandlers: HandlerTable = {
  // `url` must be the first `url="http` of the document: `name` before it is escaped,
  // so it can never contain that text.
  'download.getInfo': async ({ params, session, services, address }) => {
    const { file, url } = await services.downloads.getInfo(session.user, params.file_id, params.password, address);
    return [
      el('download', [
        ['file_id', file.id],
        ['name', file.name],
        ['url', url],
        ['file_size', file.size],
      ]),
    ];
  },
};
