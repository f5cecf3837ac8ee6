/**
 * Builds the playground's browser assets from npm packages (graphiql, @graphiql/plugin-explorer,
 * react, monaco-editor, monaco-graphql) with esbuild into dist/graphiql/:
 *   graphiql.js, graphiql.css   the app (src/http/playground/graphiql-app.js) and its styles,
 *                               fonts inlined, so the page loads nothing from anywhere else;
 *   *.worker.js                 Monaco's editor, JSON and GraphQL language workers;
 *   manifest.json               what it was built from; `--if-stale` rebuilds only when that changed.
 * `npm run build` runs it (the Docker image serves what it wrote); `npm start` and `npm run dev`
 * run it with `--if-stale` first. Nothing is downloaded at build or run time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const GRAPHIQL_OUT_DIR = join(root, 'dist/graphiql');
const APP_DIR = join(root, 'src/http/playground');

const PACKAGES = ['graphiql', '@graphiql/react', '@graphiql/plugin-explorer', 'react', 'react-dom', 'esbuild'];

function packageDir(name: string, from = root): string {
  return dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
}

function versionOf(name: string, from = root): string {
  return (JSON.parse(readFileSync(join(packageDir(name, from), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** What the assets are built from: package versions and the app's own sources. */
function inputsFingerprint(): string {
  const graphiqlReact = packageDir('@graphiql/react', packageDir('graphiql'));
  const versions = Object.fromEntries([
    ...PACKAGES.map((name) => [name, versionOf(name)]),
    ['monaco-editor', versionOf('monaco-editor', graphiqlReact)],
    ['monaco-graphql', versionOf('monaco-graphql', graphiqlReact)],
  ]);
  const hash = createHash('sha256').update(JSON.stringify(versions));
  for (const file of ['graphiql-app.js', 'monaco-environment.js']) hash.update(readFileSync(join(APP_DIR, file)));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

export interface GraphiqlManifest {
  buildId: string;
  builtAt: string;
  files: string[];
}

export function readGraphiqlManifest(dir = GRAPHIQL_OUT_DIR): GraphiqlManifest | null {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as GraphiqlManifest;
}

export async function buildGraphiql(options: { ifStale?: boolean; log?: (line: string) => void } = {}): Promise<{
  built: boolean;
  manifest: GraphiqlManifest;
}> {
  const log = options.log ?? ((line: string) => console.log(line));
  const buildId = inputsFingerprint();
  const existing = readGraphiqlManifest();
  if (options.ifStale && existing?.buildId === buildId) return { built: false, manifest: existing };

  log('playground: building GraphiQL into dist/graphiql/ (once per dependency change)…');
  rmSync(GRAPHIQL_OUT_DIR, { recursive: true, force: true });
  mkdirSync(GRAPHIQL_OUT_DIR, { recursive: true });
  const graphiqlReact = packageDir('@graphiql/react', packageDir('graphiql'));
  const monacoEditor = packageDir('monaco-editor', graphiqlReact);
  const monacoGraphql = packageDir('monaco-graphql', graphiqlReact);
  const common: BuildOptions = {
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(APP_DIR, 'graphiql-app.js')],
      outfile: join(GRAPHIQL_OUT_DIR, 'graphiql.js'),
    }),
    build({
      ...common,
      entryPoints: [join(monacoEditor, 'esm/vs/editor/editor.worker.js')],
      outfile: join(GRAPHIQL_OUT_DIR, 'editor.worker.js'),
    }),
    build({
      ...common,
      entryPoints: [join(monacoEditor, 'esm/vs/language/json/json.worker.js')],
      outfile: join(GRAPHIQL_OUT_DIR, 'json.worker.js'),
    }),
    build({
      ...common,
      entryPoints: [join(monacoGraphql, 'esm/graphql.worker.js')],
      outfile: join(GRAPHIQL_OUT_DIR, 'graphql.worker.js'),
    }),
  ]);
  const manifest: GraphiqlManifest = {
    buildId,
    builtAt: new Date().toISOString(),
    files: ['graphiql.js', 'graphiql.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js'],
  };
  for (const file of manifest.files) {
    if (!existsSync(join(GRAPHIQL_OUT_DIR, file))) throw new Error(`GraphiQL build did not write ${file}`);
  }
  writeFileSync(join(GRAPHIQL_OUT_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`playground: GraphiQL built (${buildId})`);
  return { built: true, manifest };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildGraphiql({ ifStale: process.argv.includes('--if-stale') });
}
