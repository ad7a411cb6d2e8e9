// The QR codes the pages carry: an independent decoder (jsQR) reads back the link
// they were made from, for short and long links alike, and the text alternative
// is escaped like any other text of the page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readQrSvg } from '../testing/qr-reader.js';
import { qrSvg } from './qr.js';

describe('qrSvg', () => {
  it('draws a code that decodes to the link it was made from', () => {
    for (const link of ['https://files.example.com/file/a1b2c3', `https://files.example.com/file/a1b2c3?${'x'.repeat(400)}`]) {
      const svg = String(qrSvg(link, 'QR code'));
      assert.equal(readQrSvg(svg), link);
    }
  });

  it('carries an accessible name, escaped', () => {
    const svg = String(qrSvg('https://files.example.com/file/a1b2c3', 'QR of "<b>x</b>"'));
    assert.match(svg, /role="img"/);
    assert.match(svg, /aria-label="QR of &quot;&lt;b&gt;x&lt;\/b&gt;&quot;"/);
    assert.doesNotMatch(svg, /<b>/);
  });
});
