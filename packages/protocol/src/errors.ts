/**
 * The sendspace API 1.2 error table, exactly as the spec publishes it.
 * Every error the server sends is one of these codes; the wire text is the spec's
 * description unless a handler gives a more specific one (error 27 always does).
 */
export const API_ERRORS = {
  1: { name: 'API_ERROR_NO_METHOD', text: 'No method parameter in request' },
  2: { name: 'API_ERROR_UNKNOWN_METHOD', text: 'Unknown method' },
  3: { name: 'API_ERROR_SESSION_KEY_MISSING', text: 'Session key parameter missing' },
  4: { name: 'API_ERROR_PARAMETER_MISSING', text: 'Method parameter(s) missing' },
  5: { name: 'API_ERROR_BAD_API_VERSION', text: 'Unknown or unsupported API version' },
  6: { name: 'API_ERROR_SESSION_BAD', text: 'Session expired or not found' },
  7: { name: 'API_ERROR_SESSION_NOT_AUTH', text: 'Session not authenticated' },
  8: { name: 'API_ERROR_AUTHENTICATION_FAILURE', text: 'Authentication error' },
  9: { name: 'API_ERROR_FILE_NOT_FOUND', text: 'File not found' },
  10: { name: 'API_ERROR_FOLDER_NOT_FOUND', text: 'Folder not found' },
  11: { name: 'API_ERROR_PERMISSION_DENIED', text: 'Permission denied' },
  12: { name: 'API_ERROR_DOWNLOAD_TEMP_ERROR', text: 'Download is temporarily unavailable' },
  13: { name: 'API_ERROR_UPLOAD_TEMP_ERROR', text: 'Upload is temporarily unavailable' },
  14: { name: 'API_ERROR_FOLDER_NOT_EMPTY', text: 'Folder is not empty' },
  15: { name: 'API_ERROR_SYSTEM_MAINTENANCE', text: 'System maintenance, try again later' },
  16: { name: 'API_ERROR_INVALID_PARAMETER', text: 'One of the parameters is invalid' },
  17: { name: 'API_ERROR_HTTPS_FORBIDDEN', text: 'HTTPS is forbidden for current user' },
  18: { name: 'API_ERROR_UNKNOWN_API_KEY', text: 'Unknown API key sent' },
  19: { name: 'API_ERROR_PRO_EXPIRED', text: 'Pro user, account expired' },
  20: { name: 'API_ERROR_PRO_DISKSPACE_LIMIT', text: 'Pro user, reached disk space limit' },
  21: { name: 'API_ERROR_PARAMETER_BAD_VALUE', text: 'One of the parameter values is invalid' },
  22: { name: 'API_ERROR_BAD_PASSWORD', text: 'A wrong or empty password was given' },
  23: { name: 'API_ERROR_BANDWIDTH_LIMIT', text: 'Account bandwidth limit reached' },
  24: { name: 'API_ERROR_INVALID_EMAIL', text: 'Email(s) are invalid' },
  25: {
    name: 'API_ERROR_OUTDATED_VERSION',
    text: 'The application version you are using is too old. Please upgrade it.',
  },
  26: {
    name: 'API_ERROR_INVALID_FILE_URL',
    text: 'Not a sendspace download URL (must start with http://www.sendspace.com/ and contain a 6 character link)',
  },
  27: {
    name: 'API_ERROR_REGISTRATION_ERROR',
    text: '* A specific text message will be sent according to the error *',
  },
  28: { name: 'API_ERROR_CONTACT_EXISTS', text: 'Contact already exists' },
  29: { name: 'API_ERROR_CONTACT_NOT_EXISTS', text: "Contact doesn't exist" },
  30: {
    name: 'API_ERROR_TOO_MANY_SESSIONS',
    text: 'Too many sessions open for your user account. Please close previous sessions.',
  },
  31: { name: 'API_ERROR_BAD_TARGET_FOLDER', text: 'Invalid target folder selected' },
  32: {
    name: 'API_ERROR_CONTACTS_LIMIT',
    text: 'Reached contacts limit. Please free up unused contacts and try again.',
  },
  33: { name: 'API_ERROR_FOLDER_IS_PRIVATE', text: 'Folder is private. Only the owner can view.' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * The one error class every layer throws to produce a spec error. `text` overrides the
 * table's text where a more specific message helps the user; `extra` carries the
 * children that follow `<error/>` (for example the `<id>` of the file that failed).
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly text: string;
  readonly ids: readonly string[];

  constructor(code: ApiErrorCode, text?: string, ids: readonly string[] = []) {
    const wireText = text ?? API_ERRORS[code].text;
    super(`${API_ERRORS[code].name}: ${wireText}`);
    this.name = 'ApiError';
    this.code = code;
    this.text = wireText;
    this.ids = ids;
  }
}

export function isApiErrorCode(n: number): n is ApiErrorCode {
  return Object.prototype.hasOwnProperty.call(API_ERRORS, n);
}
