/**
 * The test command: runs the whole suite with node's test runner, and proves afterwards that the
 * suite left this machine alone (/etc/passwd, /etc/group, /etc/systemd/system and the firewall
 * tables are byte-for-byte what they were before).
 *
 *   npm test                      all tests
 *   npm test -- test/unit         only some files or directories
 */
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostSnapshot, diffSnapshots } from '../test/helpers/host-invariants.ts';

const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['test/e2e', 'test/unit'];
const expanded = files.flatMap((f) => (f.endsWith('.ts') ? (existsSync(f) ? [f] : []) : globSync(`${f}/**/*.test.ts`).sort()));
// Longest first (the per-suite times this run prints at the end): two workers finish when the last
// long suite does, so the long ones start at once and the short ones fill in around them.
const LONGEST = [
  'apply-openclaw-2026.9.6', 'sandbox-docker', 'apply-openclaw-2026.2.9', 'secrets-canary', 'standby-sync', 'upgrade-cli',
  'openclaw-gateway', 'apply-example', 'apply-faults', 'backup-testbed',
].map((n) => `test/e2e/${n}.test.ts`);
const rank = (f: string) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length);
const ordered = [...expanded].sort((a, b) => rank(a) - rank(b));

// the spec cache of in-process CLI runs goes to a scratch directory, not the user's ~/.cache
const cacheDir = mkdtempSync(join(tmpdir(), 'clawops-test-cache-'));
const before = hostSnapshot();
const times = new URL('./suite-times.ts', import.meta.url).pathname;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${times}`, '--test-reporter-destination=stdout'];
const r = spawnSync(process.execPath, ['--test', ...reporters, '--test-concurrency=2', ...ordered], {
  stdio: 'inherit',
  env: { ...process.env, CLAWOPS_CACHE_DIR: cacheDir },
});
rmSync(cacheDir, { recursive: true, force: true });
const after = hostSnapshot();
const changed = diffSnapshots(before, after);
if (changed.length > 0) {
  console.error(`\nhost invariants: the test suite changed this machine:\n${changed.map((c) => `  - ${c}`).join('\n')}`);
  process.exit(1);
}
console.log('\nhost invariants: /etc/passwd, /etc/group, /etc/shadow, /etc/systemd/system, /var/lib/clawops and iptables-save unchanged by the suite');
process.exit(r.status ?? 1);
