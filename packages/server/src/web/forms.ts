/**
 * Form bodies and form fields. A form's fields are read once from the urlencoded body
 * (which the app hands over as a string). Fields render with their label, what was
 * typed (kept after a failed submit, never for passwords) and the error message beside
 * them, tied with aria-describedby so screen readers read it with the field.
 */
import type { FastifyRequest } from 'fastify';
import { html, type Html } from './html.js';

const forms = new WeakMap<FastifyRequest, URLSearchParams>();

export function formOf(req: FastifyRequest): URLSearchParams {
  let f = forms.get(req);
  if (!f) {
    f = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    forms.set(req, f);
  }
  return f;
}

/** Messages by field name; `_form` for a message about the whole form. */
export type FieldErrors = Record<string, string>;

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'datetime-local';
  value?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  min?: number;
  max?: number;
  maxlength?: number;
}

export function field(spec: FieldSpec, errors: FieldErrors = {}): Html {
  const id = `f-${spec.name.replace(/[^a-z0-9_-]/gi, '')}`;
  const error = errors[spec.name];
  const described = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' invalid' : ''}">
    <label for="${id}">${spec.label}</label>
    <input
      id="${id}"
      name="${spec.name}"
      type="${spec.type ?? 'text'}"
      ${spec.type === 'password' ? '' : html`value="${spec.value ?? ''}"`}
      ${spec.autocomplete ? html`autocomplete="${spec.autocomplete}"` : ''}
      ${spec.required ? html`required` : ''}
      ${spec.autofocus ? html`autofocus` : ''}
      ${spec.min !== undefined ? html`min="${spec.min}"` : ''}
      ${spec.max !== undefined ? html`max="${spec.max}"` : ''}
      ${spec.maxlength !== undefined ? html`maxlength="${spec.maxlength}"` : ''}
      ${described ? html`aria-describedby="${described}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    />
    ${spec.hint ? html`<p class="hint" id="${id}-hint">${spec.hint}</p>` : ''}
    ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  </div>`;
}

/** A message about the whole form, announced by screen readers when it appears. */
export function formError(errors: FieldErrors): Html {
  return errors._form ? html`<p class="msg error" role="alert">${errors._form}</p>` : html``;
}
