/**
 * Writes the generated files of the Ansible collection (ansible/clawops/gateway/plugins/modules):
 * each module's shim and its ansible-doc sidecar, from src/fleet/ansible-modules.ts.
 *   npm run docs            (node scripts/gen-ansible.ts)
 * test/unit/fleet/ansible.test.ts fails when the committed files are stale.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODULES } from '../src/fleet/ansible-modules.ts';
import { COLLECTION_DIR, renderDoc, renderShim } from '../src/fleet/ansible-render.ts';

export const ROOT = new URL('..', import.meta.url).pathname;
export const MODULES_DIR = join(ROOT, COLLECTION_DIR, 'plugins/modules');
export const collectionVersion = (): string => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

if (import.meta.main) {
  mkdirSync(MODULES_DIR, { recursive: true });
  for (const m of MODULES) {
    const shim = join(MODULES_DIR, `clawops_${m.name}.js`);
    writeFileSync(shim, renderShim(m));
    chmodSync(shim, 0o755);
    writeFileSync(join(MODULES_DIR, `clawops_${m.name}.yml`), renderDoc(m, collectionVersion()));
  }
  console.log(`wrote ${MODULES.length} modules into ${COLLECTION_DIR}/plugins/modules`);
}
