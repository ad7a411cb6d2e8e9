import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { md5 } from './md5.js';

test('md5 matches node:crypto on the RFC vectors and on UTF-8 text of every padding length', () => {
  assert.equal(md5(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(md5('The quick brown fox jumps over the lazy dog'), '9e107d9d372bb6826bd81d3542a419d6');
  for (let n = 0; n < 200; n++) {
    const s = 'é€x'.repeat(n).slice(0, n);
    assert.equal(md5(s), createHash('md5').update(s, 'utf8').digest('hex'), `length ${n}`);
  }
});
