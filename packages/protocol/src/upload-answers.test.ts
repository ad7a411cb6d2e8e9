import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anonymousUploadXml,
  parseAnonymousUploadXml,
  parseProgressXml,
  parseSessionUploadText,
  progressXml,
  sessionUploadText,
} from './upload-answers.js';

test('the upload answers read back what the server writes', () => {
  const session = { status: 'ok' as const, fileIds: ['abc123', 'def456'], bandwidthLeft: -1, diskspaceLeft: 99 };
  assert.deepEqual(parseSessionUploadText(sessionUploadText(session)), session);
  const failed = { status: 'fail' as const, fileIds: [], bandwidthLeft: 1, diskspaceLeft: 2, reason: 'too big' };
  assert.deepEqual(parseSessionUploadText(sessionUploadText(failed)), failed);
  assert.equal(parseSessionUploadText('<html>nope</html>'), undefined);

  const anon = { status: 'ok' as const, downloadUrl: 'http://x/file/a', deleteUrl: 'http://x/delete/a/k', fileId: 'a' };
  assert.deepEqual(parseAnonymousUploadXml(anonymousUploadXml(anon)), anon);
  assert.equal(parseAnonymousUploadXml('upload_status=ok'), undefined);

  const p = parseProgressXml(
    progressXml({ status: 'ok', uploadedBytes: 512, totalSize: 2048, elapsedSeconds: 3723, bytesPerSecond: 10240 }),
  );
  assert.deepEqual(p, { status: 'ok', uploadedBytes: 512, totalSize: 2048, elapsedSeconds: 3723, bytesPerSecond: 10240 });
});
