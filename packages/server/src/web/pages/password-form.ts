/** The password form of protected files and folders (it posts back to the same page). */
import { html, type Html } from '../html.js';
import { t } from '../strings.js';

export function passwordForm(opts: { button: string; wrong?: boolean; intro: string }): Html {
  return html`<form method="post">
    <p>${opts.intro}</p>
    ${opts.wrong ? html`<p class="field-error" id="pw-error" role="alert">${t.password.wrong}</p>` : ''}
    <div class="field${opts.wrong ? ' invalid' : ''}">
      <label for="pw">${t.password.label}</label>
      <input
        id="pw"
        type="password"
        name="password"
        required
        autofocus
        autocomplete="off"
        ${opts.wrong ? html`aria-invalid="true" aria-describedby="pw-error"` : ''}
      />
    </div>
    <button type="submit">${opts.button}</button>
  </form>`;
}
