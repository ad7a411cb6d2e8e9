/**
 * Methods that take an id list answer per id: each id either succeeded (with the value
 * to present) or failed with its own error. The REST layer turns a list of these into
 * the spec's ok / fail / mixed answer shapes.
 */
import { ApiError, type ApiErrorCode } from '@sendbay/protocol';

export type IdResult<T> = { id: string; value: T; error?: undefined } | { id: string; error: ApiError; value?: undefined };

export function succeeded<T>(id: string, value: T): IdResult<T> {
  return { id, value };
}

export function failed<T = never>(id: string, code: ApiErrorCode, text?: string): IdResult<T> {
  return { id, error: new ApiError(code, text) };
}
