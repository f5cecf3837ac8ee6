import { readFileSync } from 'node:fs';
import { configDocs } from '../../src/config.js';
import { configTableMarkdown, extractConfigBlock } from '../../src/config-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table', () => {
  it('when the config schema changes, then README shows the same table (run `npx tsx scripts/config-table.ts --write`)', () => {
    expect(extractConfigBlock(readme)).toBe(configTableMarkdown());
  });

  it('when a variable exists in the config, then README names it', () => {
    for (const entry of configDocs) expect(readme).toContain(`\`${entry.name}\``);
  });
});
