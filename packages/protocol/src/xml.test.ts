import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failResult, okResult } from './result.js';
import { el, escapeXml, textEl } from './xml.js';

describe('XML answers', () => {
  it('put the declaration first, method before status, one child per line', () => {
    assert.equal(
      okResult('auth.createtoken', [textEl('token', 'abc')]),
      '<?xml version="1.0" encoding="UTF-8"?>\n<result method="auth.createtoken" status="ok">\n    <token>abc</token>\n</result>\n',
    );
  });

  it('put the error first on failure, code before text, extras after', () => {
    const xml = failResult('files.getinfo', [{ code: 9 }], [textEl('id', 'u5txwy')]);
    assert.match(
      xml,
      /<result method="files.getinfo" status="fail">\n {4}<error code="9" text="File not found"\/>\n {4}<id>u5txwy<\/id>\n/,
    );
  });

  it('escape every value, and replace characters XML cannot carry', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    assert.equal(escapeXml('a\u0000b\uD800c'), 'a\uFFFDb\uFFFDc');
    const xml = okResult('m"><x', [el('file', { name: '"><script>' })]);
    assert.ok(xml.includes('method="m&quot;&gt;&lt;x"'));
    assert.ok(xml.includes('name="&quot;&gt;&lt;script&gt;"'));
  });

  it('can start named attributes on a continuation line', () => {
    const node = el(
      'upload',
      [
        ['url', 'u'],
        ['progress_url', 'p'],
        ['max_file_size', 1],
      ],
      [],
      ['progress_url'],
    );
    assert.ok(okResult('x', [node]).includes('<upload url="u"\n        progress_url="p" max_file_size="1"/>'));
  });
});
