// Builds the server into one ES module, packages/server/dist/sendbay.mjs, with esbuild.
// The workspace packages are bundled in, except @sendbay/sendfile, which loads its
// compiled addon from its own folder; everything from node_modules stays an import.
// Running plain JavaScript rather than TypeScript through tsx saves ~50 MB of memory
// and the loader's work, which is why `npm start` runs this build. Modules the server
// loads with import() (the S3 and Redis adapters, chosen at start-up) become chunks of
// their own under dist/chunks, so a server on disk and SQLite never loads the AWS SDK
// or the Redis client.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    // A bare import that is not one of ours (@sendbay/*) is left to Node to resolve.
    const bundled = (path) => path.startsWith('@sendbay/') && path !== '@sendbay/sendfile';
    b.onResolve({ filter: /^[^./]/ }, (args) => (bundled(args.path) ? undefined : { path: args.path, external: true }));
  },
};

// Chunk names carry content hashes: drop the old ones so no stale chunk stays behind.
// Only the chunks: tests keep bundles of their own in dist/ meanwhile.
rmSync(`${root}packages/server/dist/chunks`, { recursive: true, force: true });
await build({
  entryPoints: { sendbay: `${root}packages/server/src/cli/run.ts` },
  outdir: `${root}packages/server/dist`,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [externalDependencies],
  logLevel: 'warning',
  banner: { js: '// Built by scripts/build.mjs from packages/server/src: do not edit.' },
});
console.log('built packages/server/dist/sendbay.mjs');
