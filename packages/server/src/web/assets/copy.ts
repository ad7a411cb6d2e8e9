/** Copy buttons: `<button data-copy="id">` copies the value of the input with that id. */
export function wireCopyButtons(root: ParentNode): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const input = document.getElementById(button.dataset.copy ?? '') as HTMLInputElement | null;
      if (!input) return;
      const label = button.textContent;
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        // Without clipboard access (http, old browsers) select the text for the person to copy.
        input.select();
        document.execCommand('copy');
      }
      button.textContent = button.dataset.copied ?? label;
      setTimeout(() => (button.textContent = label), 2000);
    });
  }
}
