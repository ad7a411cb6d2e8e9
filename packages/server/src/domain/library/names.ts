/** Names of files and folders are metadata only (never paths), but they must be printable. */
import { ApiError } from '@sendbay/protocol';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The trimmed name, or error 21 for an empty one or one with control characters. */
export function cleanName(raw: string, what: 'file' | 'folder'): string {
  const name = raw.trim();
  if (name === '') throw new ApiError(21, `A ${what} name cannot be empty`);
  if (CONTROL.test(name)) throw new ApiError(21, `A ${what} name cannot contain control characters`);
  return name;
}
