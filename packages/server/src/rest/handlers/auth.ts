/** auth.*: registration, tokens, login, session checks and logout. */
import { sessionCheckRecord, sessionRecord, textEl } from '@sendbay/protocol';
import { accountStatus, wireInt32 } from '../../domain/account-status.js';
import type { HandlerTable } from '../handler.js';

export const authHandlers: HandlerTable = {
  'auth.register': async ({ params, services }) => {
    await services.accounts.register({ fullName: params.full_name, email: params.email, password: params.password });
    return [textEl('status', 'ok')];
  },

  'auth.createToken': async ({ services }) => [textEl('token', await services.auth.createToken())],

  'auth.login': async ({ params, services, address }) => {
    const { sessionKey, user } = await services.auth.login({
      token: params.token,
      userName: params.user_name,
      tokenedPassword: params.tokened_password,
      address,
    });
    const status = accountStatus(user, services.config.plans, services.clock.now());
    const caps = status.limits;
    return sessionRecord.encode({
      sessionKey,
      userName: user.full_name,
      email: user.email,
      membershipType: status.plan,
      membershipEnds: status.membershipEnds,
      subscribed: status.subscribed,
      capableUpload: caps.capableUpload && !status.expired,
      capableDownload: caps.capableDownload && !status.expired,
      capableFolders: caps.capableFolders,
      capableFiles: caps.capableFiles,
      chatReady: status.plan === 'business' ? await services.teams.chatReady(user.id) : undefined,
      bandwidthLeft: wireInt32(status.bandwidthLeft),
      diskspaceLeft: wireInt32(status.diskspaceLeft),
      diskspaceUsed: wireInt32(status.diskspaceUsed),
      points: 0,
    });
  },

  // Synchronous on purpose: with a cached session the whole call needs no promise.
  'auth.checkSession': ({ session, services }) => {
    const status = accountStatus(session.user, services.config.plans, services.clock.now());
    return sessionCheckRecord.encode({
      session: 'ok',
      bandwidthLeft: wireInt32(status.bandwidthLeft),
      diskspaceLeft: wireInt32(status.diskspaceLeft),
    });
  },

  'auth.logout': async ({ session, services }) => {
    await services.auth.logout(session);
    return [textEl('status', 'ok')];
  },
};
