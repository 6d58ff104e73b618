/**
 * The generated files of the Ansible collection (ansible/clawops/gateway): each module's shim
 * (the file Ansible copies to a host and runs with Node) and its documentation sidecar (what
 * `ansible-doc` shows), from src/fleet/ansible-modules.ts. Written by scripts/gen-ansible.ts;
 * a unit test fails when the committed files are stale.
 */
import { stringify } from 'yaml';
import { DEFAULT_CLAWOPS_BIN } from '../openclaw/timers.ts';
import type { ModuleDef } from './ansible-modules.ts';

export const COLLECTION_DIR = 'ansible/clawops/gateway';

/** The shim: Ansible's WANT_JSON protocol, handed to `clawops ansible NAME ARGS_FILE` on the host. */
export function renderShim(def: ModuleDef): string {
  return `#!/usr/bin/env node
// WANT_JSON
// clawops_${def.name}: ${def.short}. Generated from src/fleet/ansible-modules.ts (npm run docs); options in clawops_${def.name}.yml.
'use strict';
const { spawnSync } = require('node:child_process');
let bin = '${DEFAULT_CLAWOPS_BIN}';
try { bin = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8')).clawops_bin || bin; } catch { /* clawops reports the unreadable file */ }
const r = spawnSync(bin, ['ansible', '${def.name}', process.argv[2]], { stdio: 'inherit' });
if (r.error) console.log(JSON.stringify({ changed: false, failed: true, msg: \`cannot run \${bin}: \${r.error.message}; install clawops on the host first (role clawops.gateway.clawops)\` }));
process.exit(r.error ? 1 : (r.status ?? 1));
`;
}

/** The sidecar `ansible-doc` reads for a non-Python module. */
export function renderDoc(def: ModuleDef, version: string): string {
  const options = Object.fromEntries(Object.entries(def.options).map(([k, o]) => [k, {
    description: [o.description],
    type: o.type,
    ...(o.elements ? { elements: o.elements } : {}),
    ...(o.required ? { required: true } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.choices ? { choices: [...o.choices] } : {}),
  }]));
  const doc = {
    DOCUMENTATION: {
      module: `clawops_${def.name}`,
      short_description: def.short,
      version_added: version,
      description: [...def.description, `Check mode: ${def.checkMode}.`],
      requirements: ['clawops on the managed host (role clawops.gateway.clawops), Node.js 22 or later'],
      options,
      author: ['clawops'],
    },
    EXAMPLES: `${def.example}\n`,
    RETURN: Object.fromEntries(Object.entries(def.returns).map(([k, r]) => [k, { description: r.description, type: r.type, returned: r.returned }])),
  };
  return `# Generated from src/fleet/ansible-modules.ts (npm run docs): edit there.\n${stringify(doc, { lineWidth: 0 })}`;
}
