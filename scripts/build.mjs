// Builds the server into one ES module, packages/server/dist/sendbay.mjs, with esbuild.
// The workspace packages are bundled in, except @sendbay/sendfile, which loads its
// compiled addon from its own folder; everything from node_modules stays an import.
// Running plain JavaScript rather than TypeScript through tsx saves ~50 MB of memory
// and the loader's work, which is why `npm start` runs this build.
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

await build({
  entryPoints: [`${root}packages/server/src/cli/run.ts`],
  outfile: `${root}packages/server/dist/sendbay.mjs`,
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
