#!/usr/bin/env node
// The `sbay` command: the built CLI (scripts/build-sdk.mjs makes dist/ on install).
import '../dist/main.js';
