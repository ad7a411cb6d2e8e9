/** The upload page (filled in by the upload feature). */
import { wireCopyButtons } from './copy.js';

wireCopyButtons(document);
