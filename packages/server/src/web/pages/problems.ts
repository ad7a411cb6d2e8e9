/** The words for the account domain's problem codes (domain/web-accounts.ts). */
import type { ProblemCode } from '../../domain/web-accounts.js';
import type { FieldErrors } from '../forms.js';
import { t } from '../strings.js';

const TEXT: Record<ProblemCode, string> = {
  closed: t.register.closed,
  badName: t.register.badName,
  badEmail: t.register.badEmail,
  taken: t.register.taken,
  badPassword: t.register.badPassword,
  mismatch: t.register.mismatch,
  mailFailed: t.register.mailFailed,
  wrongCurrent: t.settings.wrongCurrent,
  blocked: t.errors.tooMany(15),
};

export function problemTexts(problems: Partial<Record<string, ProblemCode>>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, code] of Object.entries(problems)) if (code) out[k] = TEXT[code];
  return out;
}
