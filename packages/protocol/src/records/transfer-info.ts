/** upload.getInfo / anonymous.uploadGetInfo's `<upload/>` and download.getInfo's `<download/>`. */
import { el, type XmlElement } from '../xml.js';
import { num, type RecordCodec } from './codec.js';

export interface UploadInfoRecord {
  url: string;
  progressUrl: string;
  maxFileSize: number;
  uploadIdentifier: string;
  extraInfo: string;
}

export const uploadInfoRecord: RecordCodec<UploadInfoRecord, XmlElement> = {
  tag: 'upload',
  /**
   * The layout every known client accepts: the line that starts `<upload url="` carries
   * url, max_file_size, upload_identifier and extra_info in that order and nothing after
   * extra_info; progress_url stands alone on a continuation line.
   */
  encode: (u) =>
    el(
      'upload',
      [
        ['url', u.url],
        ['max_file_size', u.maxFileSize],
        ['upload_identifier', u.uploadIdentifier],
        ['extra_info', u.extraInfo],
        ['progress_url', u.progressUrl],
      ],
      [],
      ['progress_url'],
    ),
  decode: ({ attrs: a }) => ({
    url: a.url ?? '',
    progressUrl: a.progress_url ?? '',
    maxFileSize: num(a.max_file_size),
    uploadIdentifier: a.upload_identifier ?? '',
    extraInfo: a.extra_info ?? '',
  }),
};

export interface DownloadInfoRecord {
  fileId: string;
  name: string;
  /** The direct link, with whatever it needs to pass the password check. */
  url: string;
  fileSize: number;
}

export const downloadInfoRecord: RecordCodec<DownloadInfoRecord, XmlElement> = {
  tag: 'download',
  // `url` must be the first `url="http` of the document: `name` before it is escaped,
  // so it can never contain that text.
  encode: (d) =>
    el('download', [
      ['file_id', d.fileId],
      ['name', d.name],
      ['url', d.url],
      ['file_size', d.fileSize],
    ]),
  decode: ({ attrs: a }) => ({ fileId: a.file_id ?? '', name: a.name ?? '', url: a.url ?? '', fileSize: num(a.file_size) }),
};
