// Range, If-Range and If-None-Match parsing (the HTTP behaviour is proven in
// http/download-route.test.ts; these pin the edge cases RFC 9110 leaves to us).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachmentDisposition } from './content-disposition.js';
import { ifRangeMatches, noneMatch, parseRange } from './range.js';

describe('parseRange', () => {
  const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
    [undefined, 10, { kind: 'full' }],
    ['bytes=0-0', 10, { kind: 'partial', range: { start: 0, end: 0 } }],
    ['bytes=0-', 10, { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=9-', 10, { kind: 'partial', range: { start: 9, end: 9 } }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=-3', 10, { kind: 'partial', range: { start: 7, end: 9 } }],
    ['bytes=-30', 10, { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=2-100', 10, { kind: 'partial', range: { start: 2, end: 9 } }],
    ['BYTES = 2-4', 10, { kind: 'partial', range: { start: 2, end: 4 } }],
    ['bytes=4-2', 10, { kind: 'full' }],
    ['bytes=1-2,4-5', 10, { kind: 'full' }],
    ['bytes=a-b', 10, { kind: 'full' }],
    ['bytes=-', 10, { kind: 'full' }],
    ['bytes=99999999999999999999-', 10, { kind: 'full' }],
    ['pages=1-2', 10, { kind: 'full' }],
    ['bytes=0-', 0, { kind: 'full' }],
    ['bytes=-5', 0, { kind: 'full' }],
  ];
  for (const [header, size, expected] of cases) {
    it(`${header ?? '(none)'} on ${size} bytes -> ${expected.kind}`, () => assert.deepEqual(parseRange(header, size), expected));
  }
});

describe('validators', () => {
  const etag = '"abc"';
  const date = 'Mon, 01 Jan 2024 00:00:00 GMT';
  it('If-Range: our strong tag or our exact date', () => {
    assert.equal(ifRangeMatches(undefined, etag, date), true);
    assert.equal(ifRangeMatches('"abc"', etag, date), true);
    assert.equal(ifRangeMatches('W/"abc"', etag, date), false);
    assert.equal(ifRangeMatches('"abd"', etag, date), false);
    assert.equal(ifRangeMatches(date, etag, date), true);
    assert.equal(ifRangeMatches('Tue, 02 Jan 2024 00:00:00 GMT', etag, date), false);
  });
  it('If-None-Match: weak comparison over a list, or *', () => {
    assert.equal(noneMatch(undefined, etag), false);
    assert.equal(noneMatch('*', etag), true);
    assert.equal(noneMatch('"x", W/"abc"', etag), true);
    assert.equal(noneMatch('"abcd"', etag), false);
  });
});

describe('attachmentDisposition', () => {
  it('keeps plain names as they are', () => {
    assert.equal(attachmentDisposition('report 2024.pdf'), `attachment; filename="report 2024.pdf"; filename*=UTF-8''report%202024.pdf`);
  });
  it("encodes what RFC 8187 attr-char does not allow, including ' ( ) *", () => {
    assert.equal(attachmentDisposition("it's (1)*.txt"), `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });
  it('replaces control characters and separators, and never leaves the fallback empty', () => {
    assert.equal(attachmentDisposition('a\r\nb/c.txt'), `attachment; filename="a__b_c.txt"; filename*=UTF-8''a__b_c.txt`);
    assert.match(
      attachmentDisposition('日本語.txt'),
      /^attachment; filename="___\.txt"; filename\*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E\.txt$/,
    );
    assert.match(attachmentDisposition('日本語'), /^attachment; filename="download"; filename\*=UTF-8''%E6%97%A5/);
    assert.match(attachmentDisposition(''), /^attachment; filename="download"/);
    assert.match(attachmentDisposition('..'), /^attachment; filename="download"/);
  });
});
