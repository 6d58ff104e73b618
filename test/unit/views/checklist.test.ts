import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATALOGUE } from '../../../src/checks/catalogue.ts';
import { renderChecklistMarkdown } from '../../../src/views/catalogue.ts';
import { CHECKLIST_PATH } from '../../../scripts/gen-checklist.ts';

describe('docs/validation-and-go-live-checklist.md', () => {
  it('is generated from the current catalogue (run `npm run docs` when this fails)', () => {
    assert.equal(readFileSync(CHECKLIST_PATH, 'utf8'), renderChecklistMarkdown(CATALOGUE), 'stale: run `node scripts/gen-checklist.ts` (npm run docs) and commit the result');
  });
  it('lists every check id', () => {
    const md = renderChecklistMarkdown(CATALOGUE);
    for (const c of CATALOGUE) assert.ok(md.includes(`\`${c.id}\``), c.id);
  });
});
