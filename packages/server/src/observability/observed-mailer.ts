/**
 * Wraps the configured Mailer so that every e-mail that cannot be sent is logged and
 * counted, wherever it was sent from: some callers (auth.register) turn the failure
 * into an API error and would otherwise leave no trace of why.
 */
import type { Logger } from 'pino';
import type { Email, Mailer } from '../mail/email.js';
import type { Telemetry } from './telemetry.js';

export function observedMailer(inner: Mailer, telemetry: Telemetry, log: Logger): Mailer {
  return {
    async send(email: Email) {
      try {
        await inner.send(email);
      } catch (err) {
        telemetry.mailError(email.kind);
        log.error({ err, kind: email.kind, recipients: Array.isArray(email.to) ? email.to.length : 1 }, 'e-mail not sent');
        throw err;
      }
    },
    ...(inner.check ? { check: () => inner.check!() } : {}),
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
}
