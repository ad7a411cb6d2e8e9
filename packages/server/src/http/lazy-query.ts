/**
 * Fastify's query-string parser, made lazy: the API route reads the raw query itself
 * (to notice bad encodings and contradictory duplicates), so parsing every query up
 * front would be wasted work on the hottest path. Pages that read `req.query` get the
 * usual object, parsed on first use.
 */
import { parse } from 'node:querystring';

export function lazyQuery(raw: string): Record<string, unknown> {
  let parsed: Record<string, unknown> | undefined;
  const values = () => (parsed ??= { ...parse(raw) });
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_target, name) => (typeof name === 'string' ? values()[name] : undefined),
    has: (_target, name) => typeof name === 'string' && name in values(),
    ownKeys: () => Reflect.ownKeys(values()),
    getOwnPropertyDescriptor: (_target, name) => {
      const v = values();
      return typeof name === 'string' && name in v ? { value: v[name], enumerable: true, configurable: true, writable: false } : undefined;
    },
  });
}
