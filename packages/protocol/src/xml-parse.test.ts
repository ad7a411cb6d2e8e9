import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXml, XmlParseError } from './xml-parse.js';

test('reads declaration, attributes, text, entities and nesting', () => {
  const root = parseXml(
    `<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><result method='m' status="ok">\n    <token>a&amp;b&#x41;&#66;</token>\n    <file id="x" name="&lt;&quot;&apos;&gt;"\n        extra="1"/>\n    <n><![CDATA[<raw>]]></n>\n</result>\n`,
  );
  assert.equal(root.name, 'result');
  assert.deepEqual(root.attrs, { method: 'm', status: 'ok' });
  assert.equal(root.children[0]?.text, 'a&bAB');
  assert.deepEqual(root.children[1]?.attrs, { id: 'x', name: `<"'>`, extra: '1' });
  assert.equal(root.children[2]?.text, '<raw>');
});

test('malformed documents throw XmlParseError', () => {
  for (const bad of ['', 'plain text', '<a><b></a>', '<a>', '<a></a><b/>', '<a x=1/>', '<!-- open'])
    assert.throws(() => parseXml(bad), XmlParseError, bad);
});
