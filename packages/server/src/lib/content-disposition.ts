/**
 * `Content-Disposition: attachment` for a user's file name (RFC 6266), with a plain
 * ASCII `filename` for old clients and the exact name in `filename*` (RFC 8187, the
 * successor of RFC 5987). User files are always attachments: never rendered inline.
 */

/** Characters RFC 8187 `attr-char` allows unencoded; everything else is %-encoded UTF-8. */
function encodeExtValue(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The ASCII fallback: printable ASCII only, quotes and backslashes replaced (a quoted
 * string would need escapes that several clients get wrong), no path separators.
 */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents dropped: "é" -> "e"
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\/]/g, '_')
    .trim();
  return ascii === '' || /^[._]+$/.test(ascii) ? 'download' : ascii;
}

export function attachmentDisposition(fileName: string): string {
  // Control characters and path separators never belong in a saved file's name.
  // eslint-disable-next-line no-control-regex
  const name = fileName.replace(/[\u0000-\u001f\u007f/\\]/g, '_') || 'download';
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
