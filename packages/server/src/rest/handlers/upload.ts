/** upload.getInfo and anonymous.uploadGetInfo: the `<upload/>` element clients parse with regexes. */
import { uploadInfoRecord, type XmlElement } from '@sendbay/protocol';
import type { UploadInfo } from '../../domain/uploads/upload-service.js';
import type { HandlerTable } from '../handler.js';

/** The upload ticket as the protocol's record (its codec holds the line layout clients rely on). */
export function uploadElement(info: UploadInfo): XmlElement {
  return uploadInfoRecord.encode({
    url: info.url,
    progressUrl: info.progressUrl,
    maxFileSize: info.maxFileSize,
    uploadIdentifier: info.identifier,
    extraInfo: info.extraInfo,
  });
}

export const uploadHandlers: HandlerTable = {
  'upload.getInfo': async ({ params, session, services }) => [uploadElement(services.uploads.info(session.user, params.speed_limit ?? 0))],

  'anonymous.uploadGetInfo': async ({ params, services }) => [uploadElement(services.uploads.info(null, params.speed_limit ?? 0))],
};
