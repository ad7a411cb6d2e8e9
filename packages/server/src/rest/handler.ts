/**
 * What a handler is: a function from typed parameters (and the caller's session) to
 * the payload nodes of a successful answer. It never touches the response; the
 * dispatcher turns its value, or the ApiError it throws, into the wire format.
 */
import type { MethodName, MethodParams, methods, ParsedParams, ResultError, XmlNode } from '@sendbay/protocol';
import type { Session } from '../domain/auth.js';
import type { Services } from '../services.js';

export interface Call<M extends MethodName> {
  params: ParsedParams<MethodParams<M>>;
  /** Present for methods declared with `auth: 'session'`. */
  session: (typeof methods)[M]['auth'] extends 'session' ? Session : undefined;
  /** The client's address, for rate limits. */
  address: string;
  services: Services;
}

/** A list method's mixed answer: payload for the ids that worked, errors for the rest. */
export interface ListOutcome {
  payload: XmlNode[];
  errors: ResultError[];
  /** Extra children after the errors when everything failed (e.g. `<id>`). */
  failExtra?: XmlNode[];
}

/**
 * An ok answer too long to build whole (folders.getContents of a large folder): `head`
 * first, then each batch of `rest` as it arrives. Every check must be done before the
 * handler returns: once writing starts the answer is "ok".
 */
export interface StreamedOutcome {
  head: XmlNode[];
  rest: AsyncIterable<XmlNode[]>;
}

export type HandlerResult = XmlNode[] | ListOutcome | StreamedOutcome;

/** Usually async; a handler with nothing to wait for may answer directly. */
export type Handler<M extends MethodName> = (call: Call<M>) => HandlerResult | Promise<HandlerResult>;

export type HandlerTable = { [M in MethodName]?: Handler<M> };

export function isListOutcome(r: HandlerResult): r is ListOutcome {
  return !Array.isArray(r) && 'payload' in r;
}

export function isStreamedOutcome(r: HandlerResult): r is StreamedOutcome {
  return !Array.isArray(r) && 'rest' in r;
}
