// Process entry of the built server (dist/sendbay.mjs): runs a command and sets the exit code.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
