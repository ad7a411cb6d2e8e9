/**
 * The fixed pipeline every API call goes through:
 *   method -> version checks -> api key / session -> parameters -> handler -> XML.
 * Every error the machinery can detect is produced here, never in handlers, and every
 * outcome, including an unexpected exception, becomes a well-formed `<result>`.
 */
import {
  ApiError,
  failResult,
  findMethod,
  isSupportedApiVersion,
  okResult,
  okResultOpening,
  RESULT_CLOSING,
  serializeNode,
  textEl,
  type MethodDeclaration,
  type ParamSpecs,
} from '@sendbay/protocol';
import type { Logger } from 'pino';
import { sha256Hex } from '../lib/crypto.js';
import type { Session } from '../domain/auth.js';
import type { Services } from '../services.js';
import { isListOutcome, isStreamedOutcome, type Call, type HandlerResult, type HandlerTable, type StreamedOutcome } from './handler.js';
import { compareVersions } from './versions.js';

export interface DispatchInput {
  params: Map<string, string>;
  address: string;
}

/** A whole XML document, or the pieces of a streamed one. */
export type Answer = string | AsyncIterable<string>;

export class Dispatcher {
  constructor(
    private readonly services: Services,
    private readonly handlers: HandlerTable,
    private readonly log: Logger,
  ) {}

  /**
   * The answer: a whole document, or its pieces in order for a streamed listing. Returned
   * without a promise when no step needed to wait (a cached session and a synchronous
   * handler): this path runs on every API call, and each promise costs a turn of the loop.
   */
  dispatch(input: DispatchInput): Answer | Promise<Answer> {
    const sentName = input.params.get('method')?.trim() ?? '';
    const telemetry = this.services.telemetry;
    if (sentName === '') {
      telemetry.apiCall('(none)', '1');
      return failResult('', [{ code: 1 }]);
    }
    const decl = findMethod(sentName);
    // The name echoed is the client's own spelling; an unknown one is echoed bounded.
    // (Metrics label it as one bucket: a client must not be able to mint label values.)
    if (!decl) {
      telemetry.apiCall('(unknown)', '2');
      return failResult(sentName.slice(0, 100), [{ code: 2, text: `Unknown method: ${sentName.slice(0, 100)}` }]);
    }
    let answer: Answer | Promise<Answer>;
    try {
      answer = this.run(decl, sentName, input);
    } catch (err) {
      return this.failure(decl, sentName, err);
    }
    return answer instanceof Promise ? answer.catch((err: unknown) => this.failure(decl, sentName, err)) : answer;
  }

  private failure(decl: MethodDeclaration, sentName: string, err: unknown): string {
    this.services.telemetry.apiCall(decl.name, err instanceof ApiError ? String(err.code) : '15');
    if (err instanceof ApiError) {
      const extra = [...err.ids.map((id) => textEl('id', id)), ...(decl.failureChildren ?? [])];
      return failResult(sentName, [{ code: err.code, text: err.text }], extra);
    }
    this.log.error({ err, method: decl.name }, 'API method failed');
    return failResult(
      sentName,
      [{ code: 15, text: 'Internal error; the request was not completed. Please try again later.' }],
      [...(decl.failureChildren ?? [])],
    );
  }

  private run(decl: MethodDeclaration, sentName: string, input: DispatchInput): Answer | Promise<Answer> {
    const { params } = input;
    const config = this.services.config;

    if (decl.versioned) {
      const apiVersion = params.get('api_version');
      if (apiVersion !== undefined && !isSupportedApiVersion(apiVersion))
        throw new ApiError(5, `Unsupported API version "${apiVersion.slice(0, 20)}": use 1.0, 1.1 or 1.2`);
      if (config.minAppVersion !== undefined) {
        const appVersion = params.get('app_version') ?? '';
        if (compareVersions(appVersion, config.minAppVersion) < 0)
          throw new ApiError(25, `${decl.name}: app_version ${config.minAppVersion} or newer is required`);
      }
    }

    if (decl.auth === 'apiKey' || decl.auth === 'apiKeyOptional') {
      const key = params.get('api_key')?.trim() ?? '';
      if (key === '' && decl.auth === 'apiKey') throw new ApiError(4, 'Parameter api_key is missing');
      if (key === '' && config.apiKeys === 'registered') throw new ApiError(18);
      if (key !== '' && config.apiKeys === 'registered')
        return this.services.apiKeys.isActive(sha256Hex(key)).then((active) => {
          if (!active) throw new ApiError(18);
          return this.invoke(decl, sentName, input, undefined);
        });
    }

    if (decl.auth === 'session') {
      const key = params.get('session_key')?.trim() ?? '';
      if (key === '') throw new ApiError(3);
      const found = this.services.auth.session(key);
      if (found instanceof Promise) return found.then((session) => this.invoke(decl, sentName, input, session));
      return this.invoke(decl, sentName, input, found);
    }
    return this.invoke(decl, sentName, input, undefined);
  }

  private invoke(decl: MethodDeclaration, sentName: string, input: DispatchInput, session: Session | undefined): Answer | Promise<Answer> {
    const parsed = parseParams(decl.params, input.params);
    const handler = this.handlers[decl.name as keyof HandlerTable] as
      ((call: Call<never>) => HandlerResult | Promise<HandlerResult>) | undefined;
    if (!handler) throw new ApiError(11, `${decl.name} is not implemented yet on this server`);
    const result = handler({
      params: parsed as never,
      session: session as never,
      address: input.address,
      services: this.services,
    });
    return result instanceof Promise ? result.then((r) => this.present(decl, sentName, r)) : this.present(decl, sentName, result);
  }

  private present(decl: MethodDeclaration, sentName: string, result: HandlerResult): Answer {
    const telemetry = this.services.telemetry;
    if (isListOutcome(result) && result.payload.length === 0 && result.errors.length > 0) {
      telemetry.apiCall(decl.name, String(result.errors[0]!.code));
      return failResult(sentName, result.errors, result.failExtra);
    }
    telemetry.apiCall(decl.name, 'ok');
    if (isStreamedOutcome(result)) return this.stream(sentName, result);
    if (!isListOutcome(result)) return okResult(sentName, result);
    return okResult(sentName, result.payload, result.errors);
  }

  private async *stream(method: string, outcome: StreamedOutcome): AsyncIterable<string> {
    let out = okResultOpening(method);
    for (const node of outcome.head) out += serializeNode(node, 1);
    yield out;
    try {
      for await (const batch of outcome.rest) {
        let chunk = '';
        for (const node of batch) chunk += serializeNode(node, 1);
        if (chunk) yield chunk;
      }
    } catch (err) {
      // The status line is already sent: log, and still end with a well-formed document.
      this.log.error({ err, method }, 'streamed answer failed part-way');
    }
    yield RESULT_CLOSING;
  }
}

function parseParams(specs: ParamSpecs, raw: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const missing = Object.entries(specs)
    .filter(([name, spec]) => spec.required && (raw.get(name) === undefined || raw.get(name)?.trim() === ''))
    .map(([name]) => name);
  if (missing.length > 0) throw new ApiError(4, `Parameter(s) missing: ${missing.join(', ')}`);
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw.get(name);
    if (value !== undefined) out[name] = spec.parse(value, name);
  }
  return out;
}
