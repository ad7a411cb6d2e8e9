/**
 * An HTTP proxy on loopback in front of a real S3 engine, for fault tests: it passes
 * requests through, or fails them as an engine in trouble would, switched by `mode`:
 *   pass     forward everything
 *   refuse   cut every connection at once (an engine that is down)
 *   error    answer 503 SlowDown to everything
 *   hang     take the request and never answer (an engine that stopped responding)
 * `failWhen` narrows a failing mode to the requests it accepts (e.g. only part uploads),
 * so the rest (the abort of a multipart upload) still goes through.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'error' | 'hang';

export interface FaultProxy {
  endpoint: string;
  mode: FaultMode;
  failWhen: (req: IncomingMessage) => boolean;
  /** Requests seen, as "METHOD path?query". */
  seen: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = { endpoint: '', mode: 'pass', failWhen: () => true, seen: [], close: async () => {} };
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (upRes: IncomingMessage) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server: Server = createServer((req, res) => {
    proxy.seen.push(`${req.method} ${req.url}`);
    const mode = proxy.failWhen(req) ? proxy.mode : 'pass';
    if (mode === 'pass') return forward(req, res);
    if (mode === 'refuse') return req.socket.destroy();
    if (mode === 'hang') return req.resume();
    req.resume();
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
