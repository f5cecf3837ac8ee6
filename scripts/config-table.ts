// Prints README's configuration table from the zod config (src/config.ts), so the table
// cannot drift: `npx tsx scripts/config-table.ts --write` rewrites the block in README.md,
// and test/unit/readme-config.test.ts fails when README differs from what this prints.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTableMarkdown, replaceConfigBlock } from '../src/config-docs.js';

const readmePath = new URL('../README.md', import.meta.url);
if (process.argv.includes('--write')) {
  const readme = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, replaceConfigBlock(readme, configTableMarkdown()));
  console.log('README.md config table updated');
} else {
  console.log(configTableMarkdown());
}
