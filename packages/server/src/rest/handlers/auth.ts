/** auth.*: registration, tokens, login, session checks and logout. */
import { textEl } from '@sendbay/protocol';
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
    const nodes = [
      textEl('session_key', sessionKey),
      textEl('user_name', user.full_name),
      textEl('email', user.email),
      textEl('membership_type', status.plan),
      textEl('membership_ends', status.membershipEnds),
      textEl('subscribed', status.subscribed ? 1 : 0),
      textEl('capable_upload', caps.capableUpload && !status.expired ? 1 : 0),
      textEl('capable_download', caps.capableDownload && !status.expired ? 1 : 0),
      textEl('capable_folders', caps.capableFolders ? 1 : 0),
      textEl('capable_files', caps.capableFiles ? 1 : 0),
    ];
    if (status.plan === 'business') nodes.push(textEl('chat_ready', await services.teams.chatReady(user.id)));
    nodes.push(
      textEl('bandwidth_left', wireInt32(status.bandwidthLeft)),
      textEl('diskspace_left', wireInt32(status.diskspaceLeft)),
      textEl('diskspace_used', wireInt32(status.diskspaceUsed)),
      textEl('points', 0),
    );
    return nodes;
  },

  // Synchronous on purpose: with a cached session the whole call needs no promise.
  'auth.checkSession': ({ session, services }) => {
    const status = accountStatus(session.user, services.config.plans, services.clock.now());
    return [
      textEl('session', 'ok'),
      textEl('bandwidth_left', wireInt32(status.bandwidthLeft)),
      textEl('diskspace_left', wireInt32(status.diskspaceLeft)),
    ];
  },

  'auth.logout': async ({ session, services }) => {
    await services.auth.logout(session);
    return [textEl('status', 'ok')];
  },
};
