/**
 * The repository runs and tests from a clone alone: no file may point outside it (a shared
 * sibling folder beside the repository, a developer's absolute path). Public facts the tests read live in
 * test/fixtures/, the facts the code relies on in docs/.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Built from parts so this file does not match itself.
const OUTSIDE = [
  new RegExp(['\\.\\./', 'shared', '\\b'].join('')),
  new RegExp(['(^|[\\s\'"`(=])/', '(work|root|home|Users)', '/'].join('')),
];

// What the clone holds beyond its sources: installs, builds, outputs, and the copied public facts.
const SKIPPED = new Set([
  'node_modules',
  '.git',
  'dist',
  'data',
  'coverage',
  'test/fixtures',
  'test/e2e/output',
  'bench/peers/spec',
  'bench/results/tmp',
]);
const TEXT = /\.(ts|mts|mjs|js|json|md|ya?ml|graphql|sh)$|(^|\/)(Dockerfile|run)$/;

function sourceFiles(dir = root, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const name = relative(root, path);
    // Any package's installed dependencies (the root's, bench/peers', integrations/zapier's).
    if (SKIPPED.has(name) || entry.name === 'node_modules') continue;
    if (entry.isDirectory()) sourceFiles(path, found);
    else if (TEXT.test(name) && entry.name !== 'package-lock.json') found.push(name);
  }
  return found;
}

describe('self-contained repository', () => {
  it('when every source, script and doc is read, then none refers to a folder outside the clone', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      text.split('\n').forEach((line, index) => {
        if (OUTSIDE.some((pattern) => pattern.test(line))) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
