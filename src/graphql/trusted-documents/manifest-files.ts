/**
 * Reads the manifests named by TRUSTED_DOCUMENTS (files, or directories of *.json files) at
 * start-up and by `npm run auth -- documents register`. Every problem names the file: a
 * gateway must not start with a manifest it cannot read, or its first-party apps would be
 * refused at run time instead.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError, parseManifest, type TrustedDocument } from './manifest.js';

async function manifestFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ManifestError(`${path}: no such file or directory`);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => name.endsWith('.json')).sort();
  return names.map((name) => join(path, name));
}

async function readManifest(file: string): Promise<TrustedDocument[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`${file}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return parseManifest(json);
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Every document of every manifest under `paths`; one id with two different texts is an error. */
export async function loadManifests(
  paths: readonly string[],
): Promise<{ documents: TrustedDocument[]; files: string[] }> {
  const byId = new Map<string, { document: TrustedDocument; file: string }>();
  const files: string[] = [];
  for (const path of paths) {
    for (const file of await manifestFiles(path)) {
      files.push(file);
      for (const document of await readManifest(file)) {
        const seen = byId.get(document.id);
        if (seen !== undefined && seen.document.sha256 !== document.sha256)
          throw new ManifestError(`${file}: document ${document.id} has another text in ${seen.file}`);
        byId.set(document.id, { document, file });
      }
    }
  }
  return { documents: [...byId.values()].map((entry) => entry.document), files };
}
