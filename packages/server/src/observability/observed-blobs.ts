/**
 * Wraps the configured BlobStore so that failing operations are counted (and logged
 * once, here) whatever the backend. A put that fails because its body failed (the
 * client went away, a size limit) is the upload's failure, not the store's.
 */
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../blobs/blob-store.js';
import type { Telemetry } from './telemetry.js';

export function observedBlobStore(inner: BlobStore, telemetry: Telemetry, log: Logger): BlobStore {
  const failed = (operation: string, key: string | undefined) => (err: unknown) => {
    telemetry.blobError(operation);
    log.error({ err, operation, ...(key ? { key } : {}) }, 'blob store operation failed');
    throw err;
  };
  const store: BlobStore = {
    put(key: string, body: Readable, opts?: { signal?: AbortSignal }) {
      return inner.put(key, body, opts).catch((err: unknown) => {
        if (opts?.signal?.aborted || body.errored || body.destroyed) throw err;
        return failed('put', key)(err);
      });
    },
    get: (key: string, range?: ByteRange) => inner.get(key, range).catch(failed('get', key)),
    stat: (key: string) => inner.stat(key).catch(failed('stat', key)),
    delete: (key: string) => inner.delete(key).catch(failed('delete', key)),
    // A failing check is the health route's to report; it is not counted as an error.
    check: () => inner.check(),
    async *list() {
      try {
        yield* inner.list();
      } catch (err) {
        failed('list', undefined)(err);
      }
    },
  };
  if (inner.close) store.close = () => inner.close!();
  if (inner.removeStaleTemporaries) {
    const remove = inner.removeStaleTemporaries.bind(inner);
    store.removeStaleTemporaries = (olderThan, keep) => remove(olderThan, keep).catch(failed('removeStaleTemporaries', undefined));
  }
  if (inner.adoptFile) {
    const adopt = inner.adoptFile.bind(inner);
    store.adoptFile = (key, path) => adopt(key, path).catch(failed('adoptFile', key));
  }
  return store;
}
