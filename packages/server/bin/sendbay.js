#!/usr/bin/env node
// Entry point for `npx sendbay …` and `npm start`: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
