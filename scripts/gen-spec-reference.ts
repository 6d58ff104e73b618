// Regenerates docs/spec.md from the spec validator. Run with `npm run docs`.
import { writeFileSync } from 'node:fs';
import { specReference } from '../src/desired/reference.ts';

writeFileSync(new URL('../docs/spec.md', import.meta.url), specReference());
