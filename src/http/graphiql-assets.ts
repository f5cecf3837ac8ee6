/**
 * The playground's GraphiQL assets, built from npm packages by scripts/build-graphiql.ts into
 * dist/graphiql/ and served by this gateway alone (no CDN, so the page works offline).
 *
 * - Found beside the compiled code (dist/http → dist/graphiql, as in the Docker image) or, when
 *   running from src/ with tsx, in the repository's dist/graphiql (`npm start` builds it first).
 * - Only the manifest is read at start; a file is read, and gzipped, on its first request and
 *   kept in memory (a few MB), so gateways that never serve the page pay nothing.
 * - URLs carry the build id, so browsers may cache them for a year (immutable).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';

const ManifestSchema = z.object({ buildId: z.string().regex(/^[\w-]+$/), files: z.array(z.string()) });

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface GraphiqlAsset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

export interface GraphiqlAssets {
  buildId: string;
  /** The named file of this build; undefined for anything the build did not write. */
  get(file: string): GraphiqlAsset | undefined;
}

/** Where the assets may be: beside the compiled code first, then the repository's dist/. */
function defaultGraphiqlDirs(): string[] {
  return [
    fileURLToPath(new URL('../graphiql/', import.meta.url)),
    fileURLToPath(new URL('../../dist/graphiql/', import.meta.url)),
  ];
}

/** The first directory holding a build; null when none does (the page then says how to build it). */
export function loadGraphiqlAssets(dirs: string[] = defaultGraphiqlDirs()): GraphiqlAssets | null {
  const dir = dirs.find((candidate) => existsSync(join(candidate, 'manifest.json')));
  if (dir === undefined) return null;
  const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const served = new Set(manifest.files);
  const loaded = new Map<string, GraphiqlAsset>();
  return {
    buildId: manifest.buildId,
    get(file) {
      if (!served.has(file)) return undefined;
      let asset = loaded.get(file);
      if (asset === undefined) {
        const body = readFileSync(join(dir, file));
        const extension = file.slice(file.lastIndexOf('.'));
        asset = { contentType: TYPES[extension] ?? 'application/octet-stream', body, gzipped: gzipSync(body) };
        loaded.set(file, asset);
      }
      return asset;
    },
  };
}
