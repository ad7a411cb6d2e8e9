/**
 * A TCP proxy for tests that cuts connections: it forwards to `target` and, each time
 * the bytes sent towards the server cross the next of `cutPoints`, forwards only up to
 * that byte and then drops both sides, as a lost network or a closed laptop lid would.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Where connections go (settable after start: a server may need the proxy's URL first). */
  target: { host: string; port: number };
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { host: string; port: number }, cutPoints: number[]): Promise<CuttingProxy> {
  const points = [...cutPoints].sort((a, b) => a - b);
  let forwarded = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  // eslint-disable-next-line prefer-const
  let proxy: CuttingProxy;
  const server = createServer((client) => {
    const upstream = connect(proxy.target.port, proxy.target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    const cut = () => {
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      const next = points[0];
      if (next !== undefined && forwarded + chunk.length >= next) {
        points.shift();
        upstream.write(chunk.subarray(0, next - forwarded), cut);
        forwarded = next;
        client.pause();
        return;
      }
      forwarded += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('end', () => upstream.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  proxy = {
    url: `http://127.0.0.1:${port}`,
    target,
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}
