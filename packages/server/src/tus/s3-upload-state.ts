/**
 * What the S3 resumable store records of an upload, in the database with its offset:
 * the multipart upload (once it has a part), its parts, and the tail — the bytes past
 * the last full part, kept as one small S3 object until enough arrive to make a part
 * (S3 refuses parts under 5 MiB but the last). `stale` names tail objects a newer state
 * replaced: they are deleted once this state is the recorded one.
 */
export interface S3Part {
  /** The part number (1…10 000). */
  n: number;
  etag: string;
  size: number;
}

export interface S3UploadState {
  uploadId: string | null;
  parts: S3Part[];
  tail: { tag: string; size: number } | null;
  stale: string[];
}

export const EMPTY_STATE: S3UploadState = { uploadId: null, parts: [], tail: null, stale: [] };

export function parseState(text: string | null): S3UploadState {
  if (text === null) return EMPTY_STATE;
  const s = JSON.parse(text) as Partial<S3UploadState>;
  if (!Array.isArray(s.parts) || !Array.isArray(s.stale)) throw new Error('unreadable S3 upload state');
  return { uploadId: s.uploadId ?? null, parts: s.parts, tail: s.tail ?? null, stale: s.stale };
}

/** Bytes the state holds: its parts and its tail. */
export function stateSize(s: S3UploadState): number {
  return s.parts.reduce((n, p) => n + p.size, 0) + (s.tail?.size ?? 0);
}
