#!/usr/bin/env node
// WANT_JSON
// clawops_backup: Take a clawops backup (restic snapshot of each instance) on the host. Generated from src/fleet/ansible-modules.ts (npm run docs); options in clawops_backup.yml.
'use strict';
const { spawnSync } = require('node:child_process');
let bin = '/usr/local/bin/clawops';
try { bin = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8')).clawops_bin || bin; } catch { /* clawops reports the unreadable file */ }
const r = spawnSync(bin, ['ansible', 'backup', process.argv[2]], { stdio: 'inherit' });
if (r.error) console.log(JSON.stringify({ changed: false, failed: true, msg: `cannot run ${bin}: ${r.error.message}; install clawops on the host first (role clawops.gateway.clawops)` }));
process.exit(r.error ? 1 : (r.status ?? 1));
