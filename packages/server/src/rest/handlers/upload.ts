/** upload.getInfo and anonymous.uploadGetInfo: the `<upload/>` element clients parse with regexes. */
import { el, type XmlElement } from '@sendbay/protocol';
import type { UploadInfo } from '../../domain/uploads/upload-service.js';
import type { HandlerTable } from '../handler.js';

/**
 * The layout every known client accepts: the line that starts `<upload url="` carries
 * url, max_file_size, upload_identifier and extra_info in that order and nothing after
 * extra_info; progress_url stands alone on a continuation line.
 */
export function uploadElement(info: UploadInfo): XmlElement {
  return el(
    'upload',
    [
      ['url', info.url],
      ['max_file_size', info.maxFileSize],
      ['upload_identifier', info.identifier],
      ['extra_info', info.extraInfo],
      ['progress_url', info.progressUrl],
    ],
    [],
    ['progress_url'],
  );
}

export const uploadHandlers: HandlerTable = {
  'upload.getInfo': async ({ params, session, services }) => [uploadElement(services.uploads.info(session.user, params.speed_limit ?? 0))],

  'anonymous.uploadGetInfo': async ({ params, services }) => [uploadElement(services.uploads.info(null, params.speed_limit ?? 0))],
};
