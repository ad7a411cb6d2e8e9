/**
 * Reads the QR codes that web/qr.ts draws, for tests: the SVG's squares are painted
 * into a bitmap (white quiet zone, 4 pixels per module) and jsQR, an independent
 * decoder, reads it. A code that decodes here is one a phone camera can read.
 */
import jsqr from 'jsqr';

// jsqr is CommonJS with an `exports.default` that TypeScript's types describe as the module itself.
const jsQR = (jsqr as unknown as { default: typeof jsqr.default }).default;

const SCALE = 4;

/** The text a QR `<svg>` (as web/qr.ts makes it) encodes, or undefined when it does not decode. */
export function readQrSvg(svg: string): string | undefined {
  const box = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const d = /<path d="([^"]*)"/.exec(svg);
  if (!box || !d) return undefined;
  const modules = Number(box[1]);
  const side = modules * SCALE;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const m of (d[1] as string).matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const x0 = Number(m[1]) * SCALE;
    const y0 = Number(m[2]) * SCALE;
    for (let y = y0; y < y0 + SCALE; y++)
      for (let x = x0; x < x0 + SCALE; x++) {
        const i = (y * side + x) * 4;
        rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
      }
  }
  return jsQR(rgba, side, side)?.data;
}
