/**
 * The text fields of an upload form, which may arrive in any order, before or after
 * the files, and the rule that decides which file parts are the upload's files.
 * Each field is bounded; a value that breaks a bound refuses the whole upload.
 */
import { isValidEmail } from '@sendbay/protocol';
import { UploadRefused } from './upload-errors.js';

/** Most characters per field, by name (descriptionN shares `description`'s bound). */
const FIELD_MAX: Record<string, number> = {
  description: 5_000,
  password: 200,
  folder_id: 100,
  recipient_email: 10_000,
  recipient_message: 5_000,
  notify_uploader: 254,
  redirect_url: 2_000,
  userfile: 100,
  MAX_FILE_SIZE: 30,
  UPLOAD_IDENTIFIER: 200,
  extra_info: 200,
  time_limit: 12,
  download_limit: 12,
  limit_action: 2,
};
const MAX_RECIPIENTS = 100;
const FILE_FIELD_RE = /^userfile([2-9]|[1-9][0-9]|100)?$/;
const DESCRIPTION_RE = /^description([2-9]|[1-9][0-9]|100)?$/;
/** Fields that carry the upload ticket. */
export const CREDENTIAL_FIELDS = ['UPLOAD_IDENTIFIER', 'upload_identifier', 'extra_info'] as const;

export class UploadForm {
  /** The smallest MAX_FILE_SIZE sent (form or query), if any. */
  maxFileSize: number | undefined;
  /** `userfile=<field name>`: the file part of that name is the first file. */
  alias: string | undefined;
  readonly descriptions = new Map<number, string>();
  password = '';
  folderId = '0';
  recipients: string[] = [];
  /** Recipient addresses that were not valid and are skipped. */
  invalidRecipients: string[] = [];
  message = '';
  notifyUploader = '';
  redirectUrl: string | undefined;
  /** time_limit / download_limit / limit_action, named as files.setInfo names them (the web form sends them). */
  readonly limits: UploadLimitsRequest = {};

  /**
   * Records one field. Returns true when the field carries the upload ticket (the caller
   * handles those); throws UploadRefused when a value is out of bounds.
   */
  set(name: string, value: string): boolean {
    if ((CREDENTIAL_FIELDS as readonly string[]).includes(name)) {
      this.bound('UPLOAD_IDENTIFIER', name, value);
      return value.trim() !== '';
    }
    const desc = DESCRIPTION_RE.exec(name);
    if (desc) {
      this.bound('description', name, value);
      this.descriptions.set(desc[1] ? Number(desc[1]) : 1, value);
      return false;
    }
    if (!(name in FIELD_MAX)) return false; // unknown fields are ignored
    this.bound(name, name, value);
    const v = value.trim();
    switch (name) {
      case 'MAX_FILE_SIZE':
        // Lenient: a missing or odd value is ignored; a smaller one tightens the limit.
        if (/^\d{1,16}$/.test(v)) this.maxFileSize = Math.min(this.maxFileSize ?? Number.MAX_SAFE_INTEGER, Number(v));
        break;
      case 'userfile':
        this.alias = v === '' ? undefined : v;
        break;
      case 'password':
        this.password = value;
        break;
      case 'folder_id':
        this.folderId = v === '' ? '0' : v.toLowerCase();
        break;
      case 'recipient_email':
        this.setRecipients(v);
        break;
      case 'recipient_message':
        this.message = value;
        break;
      case 'notify_uploader':
        this.notifyUploader = v;
        break;
      case 'redirect_url':
        this.redirectUrl = httpUrl(v);
        break;
      case 'time_limit':
      case 'download_limit':
        if (v !== '' && !/^\d{1,10}$/.test(v)) throw new UploadRefused(`Field ${name} must be a whole number`);
        if (name === 'time_limit') this.limits.timeLimit = v === '' || v === '0' ? undefined : Number(v);
        else this.limits.downloadLimit = v === '' || v === '0' ? undefined : Number(v);
        break;
      case 'limit_action':
        // 0 stop downloads, 1 block, 2 delete (3, move, needs a folder: files.setInfo only).
        if (!/^[0-2]?$/.test(v)) throw new UploadRefused('Field limit_action must be 0, 1 or 2');
        this.limits.limitAction = v === '' ? undefined : Number(v);
        break;
    }
    return false;
  }

  /**
   * Invalid addresses are skipped rather than refusing the upload: by the time the
   * field is read the file may already be stored, and the spec's answer has no way to
   * report a partly bad list. The valid ones are mailed.
   */
  private setRecipients(v: string): void {
    const list = v.split(/[,;\s]+/).filter((s) => s.length > 0);
    const valid = [...new Set(list.filter((e) => isValidEmail(e)).map((e) => e.toLowerCase()))];
    this.recipients = valid.slice(0, MAX_RECIPIENTS);
    this.invalidRecipients = list.filter((e) => !isValidEmail(e));
  }

  private bound(kind: string, name: string, value: string): void {
    const max = FIELD_MAX[kind] as number;
    if (value.length > max) throw new UploadRefused(`Field ${name.slice(0, 50)} is longer than ${max} characters`);
  }
}

/** An absolute http(s) URL, or undefined: other schemes are never redirected to. */
function httpUrl(v: string): string | undefined {
  if (v === '') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Limits set on every file of an upload, as files.setInfo would set them. */
export interface UploadLimitsRequest {
  /** Seconds from the upload. */
  timeLimit?: number | undefined;
  downloadLimit?: number | undefined;
  limitAction?: number | undefined;
}

export interface ReceivedPart {
  /** Form field name of the part. */
  field: string;
  fileName: string;
  /** True when the part had no file name (an empty file input sends one). */
  unnamed: boolean;
  size: number;
}

/**
 * Which parts are files of the upload, in form order, each with its description:
 * `userfile` (or the part named by `userfile=<name>`), `userfile2` … `userfile100`;
 * failing all of those, the first file part whatever its name. Empty file inputs
 * (no name, no bytes) are never files.
 */
export function selectFiles<P extends ReceivedPart>(parts: readonly P[], form: UploadForm): { part: P; description: string }[] {
  const real = parts.filter((p) => !(p.unnamed && p.size === 0));
  const slotOf = (p: P): number | undefined => {
    if (form.alias !== undefined && p.field === form.alias) return 1;
    const m = FILE_FIELD_RE.exec(p.field);
    if (!m) return undefined;
    return m[1] ? Number(m[1]) : 1;
  };
  const chosen = real.flatMap((part) => {
    const slot = slotOf(part);
    return slot === undefined ? [] : [{ part, description: form.descriptions.get(slot) ?? '' }];
  });
  if (chosen.length > 0) return chosen;
  const first = real[0];
  return first ? [{ part: first, description: form.descriptions.get(1) ?? '' }] : [];
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/** A stored file name: no control characters, at most 255 characters, never empty. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? '').replace(CONTROL_CHARS, '').trim().slice(0, 255);
  return cleaned === '' ? fallback.slice(0, 255) || 'file' : cleaned;
}
