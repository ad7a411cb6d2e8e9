// The declarations and the error table are checked against the published spec text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { API_ERRORS } from './errors.js';
import { findMethod, methods } from './methods.js';

const spec = readFileSync(new URL('../spec/sendspace-api-1.2.txt', import.meta.url), 'utf8');

describe('the method declarations', () => {
  const specMethods = [...spec.matchAll(/^Method: (\S+)$/gm)].map((m) => m[1] as string);

  it('declare exactly the 27 methods of the spec', () => {
    assert.equal(specMethods.length, 27);
    assert.deepEqual(
      Object.keys(methods)
        .map((n) => n.toLowerCase())
        .sort(),
      specMethods.map((n) => n.toLowerCase()).sort(),
    );
  });

  it('find every method whatever its case', () => {
    for (const name of specMethods) {
      assert.ok(findMethod(name.toUpperCase()), name);
      assert.ok(findMethod(name.toLowerCase()), name);
    }
  });

  it("list each method's spec errors", () => {
    const sections = spec.split(/^Method: /m).slice(1);
    for (const section of sections) {
      const name = section.slice(0, section.indexOf('\n')).trim();
      const errorsPart = (section.split('Possible Errors')[1] ?? '').split(/^Errors$/m)[0] ?? '';
      const codes = [...errorsPart.matchAll(/^(\d+) API_ERROR_/gm)].map((m) => Number(m[1]));
      const decl = findMethod(name);
      assert.ok(decl, name);
      for (const code of codes) assert.ok(decl.errors.includes(code as never), `${name} should declare error ${code}`);
    }
  });
});

describe('the error table', () => {
  const table = spec.slice(spec.lastIndexOf('\nErrors\n'));
  const rows = [...table.matchAll(/^(\d+) (API_ERROR_\w+) (.+)$/gm)];

  it('has all 33 codes with the names and texts of the spec', () => {
    assert.equal(rows.length, 33);
    assert.equal(Object.keys(API_ERRORS).length, 33);
    for (const [, code, name, text] of rows) {
      const entry = API_ERRORS[Number(code) as keyof typeof API_ERRORS];
      assert.ok(entry, `code ${code}`);
      assert.equal(entry.name, name);
      assert.equal(entry.text, (text as string).trim());
    }
  });
});
