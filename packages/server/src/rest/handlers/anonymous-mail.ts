/** anonymous.filesSendMail: mails the links of anonymous uploads (no session needed). */
import { textEl } from '@sendbay/protocol';
import type { HandlerTable } from '../handler.js';

export const anonymousMailHandlers: HandlerTable = {
  'anonymous.filesSendMail': async ({ params, services, address }) => {
    const ids = await services.anonymousMail.send({
      fileIds: params.file_id,
      senderEmail: params.sender_email,
      emails: params.emails,
      message: params.message ?? '',
      address,
    });
    return [textEl('status', 'ok'), textEl('id', ids.join(','))];
  },
};
