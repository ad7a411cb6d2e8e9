/**
 * The browser assets: the TypeScript modules and the stylesheet under `assets/`,
 * bundled and minified by esbuild once per process, kept in memory and served from
 * `/assets/<name>-<hash>.<ext>` with a year of caching (a change makes a new name).
 * Building at start-up means `npm start`, `npx sendbay` and the tests all serve what
 * the sources say, with no build step to forget; it takes a fraction of a second.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

/** The entry points, by the name pages use. */
const ENTRIES = {
  'app.css': 'app.css',
  'app.js': 'app.ts',
  'upload.js': 'upload.ts',
  'files.js': 'files.ts',
  'manager.css': 'manager.css',
} as const;
export type AssetName = keyof typeof ENTRIES;

export interface BuiltAsset {
  /** The served name, with its content hash. */
  file: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
}

export class WebAssets {
  private readonly byFile = new Map<string, BuiltAsset>();

  constructor(private readonly byName: Record<AssetName, BuiltAsset>) {
    for (const a of Object.values(byName)) this.byFile.set(a.file, a);
  }

  url(name: AssetName): string {
    return `/assets/${this.byName[name].file}`;
  }

  get(file: string): BuiltAsset | undefined {
    return this.byFile.get(file);
  }

  /** Bytes and gzipped bytes per asset, for the page-weight figures. */
  sizes(): { name: AssetName; bytes: number; gzipBytes: number }[] {
    return (Object.keys(this.byName) as AssetName[]).map((name) => ({
      name,
      bytes: this.byName[name].body.length,
      gzipBytes: this.byName[name].gzip.length,
    }));
  }
}

/** Where the sources are: beside this module in src/, or from the built bundle in dist/. */
function sourceDir(): string {
  for (const rel of ['./assets/', '../src/web/assets/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}app.css`)) return dir;
  }
  throw new Error('web assets not found: expected packages/server/src/web/assets');
}

let built: WebAssets | undefined;

export function webAssets(): WebAssets {
  if (built) return built;
  const dir = sourceDir();
  const names = Object.keys(ENTRIES) as AssetName[];
  const result = buildSync({
    entryPoints: names.map((n) => ({ in: `${dir}${ENTRIES[n]}`, out: n.replace(/\.(js|css)$/, '') })),
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    target: 'es2020',
    outdir: '/assets',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const byName = {} as Record<AssetName, BuiltAsset>;
  for (const name of names) {
    const out = result.outputFiles.find((f) => f.path === `/assets/${name}`);
    if (!out) throw new Error(`web asset ${name} was not built`);
    const body = Buffer.from(out.contents);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const [base, ext] = name.split('.') as [string, string];
    byName[name] = {
      file: `${base}-${hash}.${ext}`,
      type: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      body,
      gzip: gzipSync(body, { level: 9 }),
    };
  }
  built = new WebAssets(byName);
  return built;
}
