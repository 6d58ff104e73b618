/**
 * Writes docs/validation-and-go-live-checklist.md from the check catalogue.
 *   npm run docs            (node scripts/gen-checklist.ts)
 * test/unit/views/checklist.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { CATALOGUE } from '../src/checks/catalogue.ts';
import { renderChecklistMarkdown } from '../src/views/catalogue.ts';

export const CHECKLIST_PATH = new URL('../docs/validation-and-go-live-checklist.md', import.meta.url);

if (import.meta.main) {
  writeFileSync(CHECKLIST_PATH, renderChecklistMarkdown(CATALOGUE));
  console.log(`wrote docs/validation-and-go-live-checklist.md (${CATALOGUE.length} checks)`);
}
