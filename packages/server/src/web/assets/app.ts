/**
 * Behaviour every page may use, added on top of pages that already work without it:
 * buttons with `data-copy="<input id>"` copy that input's text to the clipboard.
 */
import { wireCopyButtons } from './copy.js';

wireCopyButtons(document);
