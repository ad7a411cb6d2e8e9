/**
 * The answers of the upload POST and the progress URL, which are not `<result>`
 * documents: clients parse them line by line, so their layout is part of the contract.
 */
import { el, textEl, xmlDocument } from './xml.js';
import { child, childText, parseXml } from './xml-parse.js';

export interface SessionUploadResult {
  status: 'ok' | 'fail';
  fileIds: readonly string[];
  bandwidthLeft: number;
  diskspaceLeft: number;
  /** Why the upload failed; sent as an extra line after the spec's four. */
  reason?: string;
}

/** Plain text, LF endings: `upload_status`, one `file_id` per file, bandwidth, disk space. */
export function sessionUploadText(r: SessionUploadResult): string {
  const lines = [`upload_status=${r.status}`];
  if (r.fileIds.length === 0) lines.push('file_id=');
  for (const id of r.fileIds) lines.push(`file_id=${id}`);
  lines.push(`bandwidth_left=${r.bandwidthLeft}`, `diskspace_left=${r.diskspaceLeft}`);
  if (r.reason) lines.push(`reason=${r.reason.replace(/[\r\n]+/g, ' ')}`);
  return lines.join('\n') + '\n';
}

export interface AnonymousUploadResult {
  status: 'ok' | 'fail';
  downloadUrl?: string;
  deleteUrl?: string;
  fileId?: string;
  reason?: string;
}

/** `<upload_done>` with one child per line in the spec's order. */
export function anonymousUploadXml(r: AnonymousUploadResult): string {
  const children = [textEl('status', r.status)];
  if (r.status === 'ok') {
    children.push(textEl('download_url', r.downloadUrl ?? ''), textEl('delete_url', r.deleteUrl ?? ''), textEl('file_id', r.fileId ?? ''));
  } else if (r.reason) {
    children.push(textEl('reason', r.reason));
  }
  return xmlDocument(el('upload_done', [], children));
}

export interface ProgressSnapshot {
  status: 'ok' | 'done' | 'fail';
  uploadedBytes: number;
  totalSize: number;
  elapsedSeconds: number;
  /** Bytes per second over the upload so far. */
  bytesPerSecond: number;
}

export function hhmmss(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const h = Math.min(99, Math.floor(s / 3600));
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return [h, m, sec].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The spec's `<progress>` document; every number is present and finite. */
export function progressXml(p: ProgressSnapshot): string {
  const total = Math.max(0, Math.floor(p.totalSize));
  const done = Math.max(0, Math.min(Math.floor(p.uploadedBytes), total || Number.MAX_SAFE_INTEGER));
  const meter = p.status === 'done' ? 100 : total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 0;
  const speed = Math.max(0, Math.round(p.bytesPerSecond / 1024));
  const eta = p.bytesPerSecond > 0 && total > done ? (total - done) / p.bytesPerSecond : 0;
  return xmlDocument(
    el(
      'progress',
      [],
      [
        textEl('status', p.status),
        textEl('eta', hhmmss(eta)),
        textEl('speed', speed),
        textEl('uploaded_bytes', done),
        textEl('total_size', total),
        textEl('elapsed', hhmmss(p.elapsedSeconds)),
        textEl('meter', meter),
      ],
    ),
  );
}

/**
 * Reads the upload POST's plain-text answer. Unknown lines are ignored; a body that has
 * no `upload_status=` line at all is not an answer of this protocol and gives undefined.
 */
export function parseSessionUploadText(text: string): SessionUploadResult | undefined {
  const lines = text.split(/\r?\n/);
  const get = (k: string) => lines.filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  const status = get('upload_status')[0]?.trim();
  if (status === undefined) return undefined;
  const reason = get('reason')[0];
  return {
    status: status === 'ok' ? 'ok' : 'fail',
    fileIds: get('file_id')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    bandwidthLeft: Number(get('bandwidth_left')[0] ?? 0) || 0,
    diskspaceLeft: Number(get('diskspace_left')[0] ?? 0) || 0,
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** Reads `<upload_done>`; undefined when the document is something else. */
export function parseAnonymousUploadXml(xml: string): AnonymousUploadResult | undefined {
  let root;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  if (root.name !== 'upload_done') return undefined;
  const t = (n: string) => childText(root, n);
  return {
    status: t('status') === 'ok' ? 'ok' : 'fail',
    downloadUrl: t('download_url'),
    deleteUrl: t('delete_url'),
    fileId: t('file_id'),
    ...(child(root, 'reason') ? { reason: t('reason') } : {}),
  };
}

/** Reads the progress URL's `<progress>` (speed there is KB/s; here bytes per second). */
export function parseProgressXml(xml: string): ProgressSnapshot | undefined {
  let root;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  if (root.name !== 'progress') return undefined;
  const t = (n: string) => childText(root, n);
  const seconds = (s: string) => s.split(':').reduce((acc, part) => acc * 60 + (Number(part) || 0), 0);
  const status = t('status');
  return {
    status: status === 'done' || status === 'fail' ? status : 'ok',
    uploadedBytes: Number(t('uploaded_bytes')) || 0,
    totalSize: Number(t('total_size')) || 0,
    elapsedSeconds: seconds(t('elapsed')),
    bytesPerSecond: (Number(t('speed')) || 0) * 1024,
  };
}
