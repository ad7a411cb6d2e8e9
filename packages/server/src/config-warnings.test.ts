// Start-up warnings from the configuration: a misspelt SENDBAY_* name, and a public URL
// that points at this machine while the server listens on every interface.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from './config.js';

const CWD = '/srv/sendbay';

describe('configuration warnings', () => {
  it('names an unknown SENDBAY_* variable, and only that one', () => {
    const c = parseConfig({ HOST: '127.0.0.1', SENDBAY_PUBLC_URL: 'https://x.example', SENDBAY_LOG_LEVEL: 'warn', OTHER: '1' }, CWD);
    assert.deepEqual(c.warnings, ['SENDBAY_PUBLC_URL is ignored: no such setting, or one these settings do not use (misspelt?)']);
  });

  it('knows every plan setting and leaves the test suite’s variables alone', () => {
    const c = parseConfig({ HOST: '127.0.0.1', SENDBAY_PLAN_PRO_CONTACTS: '5', SENDBAY_TEST_DATABASE_URL: 'postgres://x/y' }, CWD);
    assert.deepEqual(c.warnings, []);
  });

  it('warns about a localhost public URL on a public interface, not on loopback', () => {
    const everywhere = parseConfig({}, CWD);
    assert.equal(everywhere.warnings.length, 1);
    assert.match(everywhere.warnings[0]!, /^SENDBAY_PUBLIC_URL is http:\/\/localhost:8080 but the server listens on 0\.0\.0\.0/);
    assert.deepEqual(parseConfig({ HOST: '127.0.0.1' }, CWD).warnings, []);
    assert.deepEqual(parseConfig({ HOST: '::', SENDBAY_PUBLIC_URL: 'https://files.example.com' }, CWD).warnings, []);
    assert.equal(parseConfig({ HOST: '::', SENDBAY_PUBLIC_URL: 'http://127.0.0.1:8080' }, CWD).warnings.length, 1);
  });
});
