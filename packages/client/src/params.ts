/**
 * Typed parameters for every method, derived from the protocol's declarations: the
 * names are the wire names, required ones are required, and lists may be given as
 * arrays. `session_key` and `api_key` are the client's business, never the caller's.
 */
import type { MethodName, MethodParams, ParamParser } from '@sendbay/protocol';

type InputOf<T> = T extends readonly string[]
  ? string | readonly string[]
  : T extends number | null
    ? number | null
    : T extends 0 | 1 | null
      ? 0 | 1 | boolean | null
      : string;

type Spec<M extends MethodName> = MethodParams<M>;
type RequiredKeys<M extends MethodName> = {
  [K in keyof Spec<M>]: Spec<M>[K] extends ParamParser<unknown, true> ? K : never;
}[keyof Spec<M>];
type OptionalKeys<M extends MethodName> = Exclude<keyof Spec<M>, RequiredKeys<M>>;
type ValueOf<P> = P extends ParamParser<infer T, boolean> ? InputOf<T> : never;

export type CallParams<M extends MethodName> = { [K in RequiredKeys<M>]: ValueOf<Spec<M>[K]> } & {
  [K in OptionalKeys<M>]?: ValueOf<Spec<M>[K]> | undefined;
};

export type ParamValue = string | number | boolean | null | undefined | readonly string[];

/** Wire strings: lists joined with commas, booleans as 1/0, null as '' (the spec's "clear"). */
export function encodeParams(params: Record<string, ParamValue>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (v === null) out.push([k, '']);
    else if (typeof v === 'boolean') out.push([k, v ? '1' : '0']);
    else if (Array.isArray(v)) out.push([k, v.join(',')]);
    else out.push([k, String(v)]);
  }
  return out;
}
