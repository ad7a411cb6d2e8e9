/**
 * QR codes as inline SVG, made on the server (no script, nothing fetched): one path of
 * the dark modules, black on white whatever the colour scheme, with a text alternative.
 * The matrix comes from qrcode-generator (see package.json for why that one).
 */
import qrcode from 'qrcode-generator';
import { html, type Html } from './html.js';

export function qrSvg(text: string, label: string): Html {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const margin = 4;
  let d = '';
  for (let row = 0; row < n; row++)
    for (let col = 0; col < n; col++) if (qr.isDark(row, col)) d += `M${col + margin} ${row + margin}h1v1h-1z`;
  const size = n + margin * 2;
  return html`<svg
    class="qr"
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${size} ${size}"
    role="img"
    aria-label="${label}"
    shape-rendering="crispEdges"
  >
    <rect width="${size}" height="${size}" fill="#fff" />
    <path d="${d}" fill="#000" />
  </svg>`;
}
