/**
 * Starts and stops one server process: context, HTTP listener and the periodic
 * maintenance jobs. Used by `sendbay serve` and by the tests, which run the real thing.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createContext, type AppContext, type ContextOverrides } from './context.js';
import { buildApp } from './http/app.js';
import { Scheduler } from './scheduler.js';

export interface RunningServer {
  /** The address it listens on, e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

export async function startServer(config: Config, overrides: ContextOverrides = {}): Promise<RunningServer> {
  const ctx = await createContext(config, overrides);
  const app = buildApp(ctx);
  const scheduler = new Scheduler(ctx.jobs, ctx.log.child({ component: 'maintenance' }), ctx.jobGuard, ctx.telemetry);
  try {
    await app.listen({ host: config.host, port: config.port });
    scheduler.start();
  } catch (err) {
    await app.close().catch(() => {});
    await ctx.dispose();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    ctx,
    close() {
      // Stops accepting, lets running requests finish, then closes storage.
      closing ??= (async () => {
        await scheduler.stop();
        await app.close();
        await ctx.dispose();
      })();
      return closing;
    },
  };
}
