/**
 * What every command gets: the process's streams, --json, and a client for the
 * server: from --server / $SBAY_SERVER, else the saved session's. A saved session is
 * resumed; with $SBAY_PASSWORD set the client may also log in again when it expired,
 * and the new key is saved.
 */
import { SendbayClient } from '@sendbay/client';
import { AuthError, UsageError } from './exit-codes.js';
import type { Io } from './io.js';
import { loadSession, saveSession, type SavedSession } from './session-store.js';

export interface Ctx {
  io: Io;
  json: boolean;
  /** --server, if given. */
  server: string | undefined;
  saved: SavedSession | undefined;
  /** A client for the server; `session: true` requires a saved login. */
  client(opts?: { session?: boolean }): SendbayClient;
  /** Prints the human text, or the JSON value with --json. */
  print(human: string, json: unknown): void;
}

export async function makeCtx(io: Io, globals: { server?: string | undefined; json?: boolean | undefined }): Promise<Ctx> {
  const saved = await loadSession(io.env);
  const server = globals.server ?? (io.env.SBAY_SERVER || undefined);
  const wantJson = globals.json === true;
  return {
    io,
    json: wantJson,
    server,
    saved,
    client(opts = {}) {
      const base = server ?? saved?.server;
      if (!base)
        throw opts.session
          ? new AuthError('not logged in: run sbay login --server URL --email E')
          : new UsageError('no server: give --server URL (or set SBAY_SERVER)');
      const sameServer = saved && (!server || sameOrigin(server, saved.server));
      if (opts.session && !sameServer) throw new AuthError(`not logged in to ${base}: run sbay login --server ${base} --email E`);
      const password = io.env.SBAY_PASSWORD;
      let client: SendbayClient;
      try {
        client = new SendbayClient(base, {
          ...(opts.session && saved ? { sessionKey: saved.sessionKey } : {}),
          ...(opts.session && saved && password ? { credentials: { email: saved.email, password } } : {}),
          onSession: (key) => {
            if (key && saved) void saveSession(io.env, { ...saved, sessionKey: key, savedAt: Date.now() });
          },
        });
      } catch (err) {
        throw new UsageError(`bad server URL ${JSON.stringify(base)}: ${(err as Error).message}`);
      }
      return client;
    },
    print(human, json) {
      if (wantJson) io.stdout.write(JSON.stringify(json, null, 2) + '\n');
      else if (human !== '') io.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
    },
  };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new SendbayClient(a).restUrl === new SendbayClient(b).restUrl;
  } catch {
    return false;
  }
}
