// Builds the SDK (@sendbay/client) and the CLI (@sendbay/cli) to plain JavaScript, so
// that Node without tsx, browsers and bundlers can use them; runs on `npm install`/`npm ci`
// (the root `prepare` script) and before packing.
// - packages/client/dist: ESM with @sendbay/protocol bundled in (the packed client
//   installs alone), a shared chunk for the two entries, and .d.ts files from tsc whose
//   protocol imports are rewritten to the protocol declarations shipped beside them.
// - packages/cli/dist: one ES module; @sendbay/client stays an import (its dependency).
// Inside the repo, tests and the typecheck read the TypeScript sources through the
// `sendbay-source` export condition, so nothing here is needed for them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const client = join(root, 'packages/client');
const cli = join(root, 'packages/cli');

rmSync(join(client, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: { index: join(client, 'src/index.ts'), node: join(client, 'src/node.ts') },
  outdir: join(client, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: ['node20', 'es2022'],
  conditions: ['sendbay-source'],
  external: ['node:*'],
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: '// Built by scripts/build-sdk.mjs from packages/client/src: do not edit.' },
});

// Declarations: client and protocol sources, then the protocol imports made relative.
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(client, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const types = join(client, 'dist/types');
const protocolIndex = join(types, 'protocol/src/index.js');
function rewrite(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) rewrite(p);
    else if (p.endsWith('.d.ts')) {
      let rel = relative(dirname(p), protocolIndex);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      const text = readFileSync(p, 'utf8').replace(/(['"])@sendbay\/protocol\1/g, `'${rel}'`);
      writeFileSync(p, text);
    }
  }
}
rewrite(join(types, 'client'));
for (const entry of ['index', 'node'])
  writeFileSync(join(client, `dist/${entry}.d.ts`), `export * from './types/client/src/${entry}.js';\n`);
console.log('built packages/client/dist');

if (existsSync(join(cli, 'src/main.ts'))) {
  rmSync(join(cli, 'dist'), { recursive: true, force: true });
  mkdirSync(join(cli, 'dist'));
  await build({
    entryPoints: [join(cli, 'src/main.ts')],
    outfile: join(cli, 'dist/main.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The client is the CLI's one dependency: resolved at run time to its dist.
    external: ['@sendbay/client', '@sendbay/client/*'],
    sourcemap: true,
    logLevel: 'warning',
    banner: { js: '// Built by scripts/build-sdk.mjs from packages/cli/src: do not edit.' },
  });
  console.log('built packages/cli/dist');
}
