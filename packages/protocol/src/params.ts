/**
 * Parameter parsers: each turns the raw string a client sent into a typed value or
 * throws an ApiError with the code the spec gives for that kind of mistake.
 * An empty string is kept distinct from "absent" because the spec's setInfo methods
 * say "sending empty will clear existing data".
 */
import { ApiError, type ApiErrorCode } from './errors.js';

export interface ParamParser<T, R extends boolean = false> {
  readonly parse: (raw: string, name: string) => T;
  readonly required: R;
}

/** Marks a parameter as mandatory: the dispatcher answers error 4 when it is absent. */
export function required<T>(inner: ParamParser<T, boolean>): ParamParser<T, true> {
  return { parse: inner.parse, required: true };
}

/** Longest value accepted for any single parameter (descriptions, messages). */
export const MAX_PARAM_LENGTH = 10_000;
/** Most ids accepted in one comma list. */
export const MAX_ID_LIST = 1_000;

const EMAIL_RE =
  /^[^\s@,;<>"()[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

export function isValidEmail(s: string): boolean {
  return s.length <= 254 && EMAIL_RE.test(s);
}

function parser<T>(parse: (raw: string, name: string) => T): ParamParser<T> {
  return { required: false, parse };
}

function tooLong(raw: string, name: string, max: number): void {
  if (raw.length > max) throw new ApiError(16, `Parameter ${name} is longer than ${max} characters`);
}

export const p = {
  /** Free text up to `max` characters. */
  text(opts: { max?: number } = {}): ParamParser<string> {
    const max = opts.max ?? MAX_PARAM_LENGTH;
    return parser((raw, name) => {
      tooLong(raw, name, max);
      return raw;
    });
  },
  /** One e-mail address; `code` is the error for a malformed one (24 by default). */
  email(opts: { code?: ApiErrorCode } = {}): ParamParser<string> {
    return parser((raw, name) => {
      const v = raw.trim();
      if (!isValidEmail(v)) throw new ApiError(opts.code ?? 24, `Invalid e-mail address in ${name}`);
      return v;
    });
  },
  /** A comma (or semicolon/space) separated list of e-mail addresses, all valid. */
  emailList(): ParamParser<string[]> {
    return parser((raw, name) => {
      tooLong(raw, name, MAX_PARAM_LENGTH);
      const list = raw
        .split(/[,;\s]+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (list.length === 0 || list.some((e) => !isValidEmail(e)))
        throw new ApiError(24, `Email(s) are invalid: ${name} must list valid addresses`);
      if (list.length > 100) throw new ApiError(24, 'At most 100 e-mail addresses at once');
      return [...new Set(list.map((e) => e.toLowerCase()))];
    });
  },
  /**
   * A comma-separated id list (`a1a1a1,s2s2s2`). Entries are lowercased and kept even
   * when malformed: each one gets its own "not found" in a mixed answer.
   */
  idList(): ParamParser<string[]> {
    return parser((raw, name) => {
      tooLong(raw, name, MAX_ID_LIST * 8);
      const ids = raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s.length > 0);
      if (ids.length === 0) throw new ApiError(4, `Parameter ${name} is empty`);
      if (ids.length > MAX_ID_LIST) throw new ApiError(16, `At most ${MAX_ID_LIST} ids in ${name}`);
      return [...new Set(ids)];
    });
  },
  /** One id (file or folder id, or a URL that handlers resolve themselves). */
  id(): ParamParser<string> {
    return parser((raw, name) => {
      tooLong(raw, name, 2_000);
      return raw.trim();
    });
  },
  /** 0 or 1; empty means "clear" (null). */
  flag(): ParamParser<0 | 1 | null> {
    return parser((raw, name) => {
      const v = raw.trim();
      if (v === '') return null;
      if (v === '0' || v === '1') return Number(v) as 0 | 1;
      throw new ApiError(21, `Parameter ${name} must be 0 or 1`);
    });
  },
  /** A whole number within bounds; empty means "clear" (null). */
  int(opts: { min?: number; max?: number } = {}): ParamParser<number | null> {
    const min = opts.min ?? 0;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    return parser((raw, name) => {
      const v = raw.trim();
      if (v === '') return null;
      if (!/^-?\d{1,16}$/.test(v)) throw new ApiError(21, `Parameter ${name} must be a whole number`);
      const n = Number(v);
      if (n < min || n > max) throw new ApiError(21, `Parameter ${name} must be between ${min} and ${max}`);
      return n;
    });
  },
  /** One of a fixed set of integer values; empty means "clear" (null). */
  oneOf<T extends number>(values: readonly T[]): ParamParser<T | null> {
    return parser((raw, name) => {
      const v = raw.trim();
      if (v === '') return null;
      const n = Number(v);
      if (!/^\d+$/.test(v) || !values.includes(n as T)) throw new ApiError(21, `Parameter ${name} must be one of ${values.join(', ')}`);
      return n as T;
    });
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamSpecs = Record<string, ParamParser<any, boolean>>;

/** The typed parameter object a handler receives: absent optional params are undefined. */
export type ParsedParams<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends ParamParser<infer T, infer R> ? (R extends true ? T : T | undefined) : never;
};
