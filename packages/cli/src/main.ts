/** The process entry of `sbay`. */
import { processIo } from './io.js';
import { run } from './run.js';

const code = await run(process.argv.slice(2), processIo());
// Let stdout drain (a piped download, long JSON) before leaving.
process.exitCode = code;
