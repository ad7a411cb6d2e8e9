export * from './client.js';
export * from './errors.js';
export * from './params.js';
export { md5 } from './md5.js';
export { isIdempotent, type RetryPolicy } from './rest.js';
export * from './raw-client.js';
export type {
  ContactRecord,
  DecodedError,
  DownloadInfoRecord,
  FileRecord,
  FolderRecord,
  FolderTotals,
  ListResult,
  MethodName,
  MethodResult,
  SessionCheckRecord,
  SessionRecord,
  SharedFileRecord,
  SharedFolderRecord,
  UploadInfoRecord,
} from '@sendbay/protocol';
export * from './download.js';
export * from './upload/source.js';
export * from './upload/progress.js';
export * from './upload/transport.js';
export { describeUploaded, upload, type UploadOptions, type UploadedFile } from './upload/upload.js';
export * from './upload/tus-http.js';
export { resumableUpload, SendbayTusError, type ResumableUploadOptions, type ResumableUploadResult } from './upload/resumable.js';
