// The compiled addon, or undefined where it is not built (see build-native.mjs).
import { createRequire } from 'node:module';

function load() {
  if (process.platform !== 'linux') return undefined;
  try {
    return createRequire(import.meta.url)('./build/Release/sendfile.node');
  } catch {
    return undefined;
  }
}

export const sendfile = load();
