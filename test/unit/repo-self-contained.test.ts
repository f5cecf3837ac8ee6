/**
 * The repository runs and tests from a clone alone: no file may point outside it (a shared
 * sibling folder beside the repository, a developer's absolute path). Public facts the tests read live in
 * test/fixtures/, the facts the code relies on in docs/.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Built from parts so this file does not match itself.
const OUTSIDE = [
  new RegExp(['\\.\\./', 'shared', '\\b'].join('')),
  new RegExp(['(^|[\\s\'"`(=])/', '(work|root|home|Users)', '/'].join('')),
];

function trackedTextFiles(): string[] {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && file !== 'package-lock.json' && !file.startsWith('test/fixtures/'));
  return files.filter((file) => /\.(ts|mts|mjs|js|json|md|ya?ml|graphql|sh)$|(^|\/)(Dockerfile|run)$/.test(file));
}

describe('self-contained repository', () => {
  it('when every tracked source, script and doc is read, then none refers to a folder outside the clone', () => {
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(`${root}/${file}`, 'utf8');
      } catch {
        continue; // listed but deleted in the work tree
      }
      text.split('\n').forEach((line, index) => {
        if (OUTSIDE.some((pattern) => pattern.test(line))) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
