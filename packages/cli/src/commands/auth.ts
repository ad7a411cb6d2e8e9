/** login, logout, whoami. */
import { SendbayClient } from '@sendbay/client';
import type { Command } from '../command.js';
import { str } from '../command.js';
import { AuthError, UsageError } from '../exit-codes.js';
import { bytes } from '../format.js';
import { readPassword } from '../password.js';
import { clearSession, saveSession } from '../session-store.js';

export const login: Command = {
  name: 'login',
  summary: 'Log in and keep the session (in $XDG_CONFIG_HOME/sendbay/session.json, mode 0600; never the password).',
  usage: 'sbay login --server URL --email EMAIL',
  help: `  --email EMAIL  your account's e-mail address
  The password is read from $SBAY_PASSWORD, else from standard input when it is not
  a terminal, else from a prompt that does not echo.`,
  options: { email: { type: 'string', short: 'e' } },
  async run(ctx, v) {
    const server = ctx.server ?? ctx.saved?.server;
    if (!server) throw new UsageError('missing --server URL (usage: sbay login --server URL --email EMAIL)');
    const email = str(v.email) ?? ctx.saved?.email;
    if (!email) throw new UsageError('missing --email EMAIL (usage: sbay login --server URL --email EMAIL)');
    let client: SendbayClient;
    try {
      client = new SendbayClient(server);
    } catch (err) {
      throw new UsageError(`bad server URL ${JSON.stringify(server)}: ${(err as Error).message}`);
    }
    const password = await readPassword(ctx.io);
    if (password === '') throw new AuthError('no password given');
    const s = await client.login(email, password, { keepCredentials: false });
    const path = await saveSession(ctx.io.env, {
      server: client.baseUrl.replace(/\/$/, ''),
      email,
      sessionKey: s.sessionKey,
      userName: s.userName,
      plan: s.membershipType,
      savedAt: Date.now(),
    });
    const { sessionKey: _key, ...shown } = s;
    void _key;
    ctx.print(`Logged in to ${client.baseUrl} as ${email} (${s.membershipType}). Session saved in ${path}.`, {
      server: client.baseUrl,
      ...shown,
    });
  },
};

export const logout: Command = {
  name: 'logout',
  summary: 'End the session on the server and forget it here.',
  usage: 'sbay logout',
  help: '',
  options: {},
  async run(ctx) {
    if (!ctx.saved) {
      ctx.print('Not logged in.', { loggedOut: false });
      return;
    }
    try {
      await ctx.client({ session: true }).logout();
    } catch {
      // The session may already be gone on the server; forgetting it here is what matters.
    }
    await clearSession(ctx.io.env);
    ctx.print(`Logged out of ${ctx.saved.server}.`, { loggedOut: true, server: ctx.saved.server });
  },
};

export const whoami: Command = {
  name: 'whoami',
  summary: 'Who you are logged in as: server, account, plan and what is left of the quotas.',
  usage: 'sbay whoami',
  help: '',
  options: {},
  async run(ctx) {
    const client = ctx.client({ session: true });
    const check = await client.auth.checkSession();
    const saved = ctx.saved!;
    const info = {
      server: saved.server,
      email: saved.email,
      name: saved.userName,
      plan: saved.plan,
      bandwidthLeft: check.bandwidthLeft,
      diskspaceLeft: check.diskspaceLeft,
    };
    ctx.print(
      `${saved.email}${saved.userName ? ` (${saved.userName})` : ''} on ${saved.server}\nplan: ${saved.plan ?? '?'}\ndisk space left: ${bytes(check.diskspaceLeft)}\nbandwidth left: ${bytes(check.bandwidthLeft)}`,
      info,
    );
  },
};
