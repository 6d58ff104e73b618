/**
 * The test command: runs the whole suite with node's test runner, and proves afterwards that the
 * suite left this machine alone (/etc/passwd, /etc/group, /etc/systemd/system and the firewall
 * tables are byte-for-byte what they were before).
 *
 *   npm test                      all tests
 *   npm test -- test/unit         only some files or directories
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostSnapshot, diffSnapshots } from '../test/helpers/host-invariants.ts';

const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['test/unit', 'test/e2e'];
const globs = files.flatMap((f) => (f.endsWith('.ts') ? [f] : [`${f}/**/*.test.ts`])).filter((g) => g.includes('*') || existsSync(g));

// the spec cache of in-process CLI runs goes to a scratch directory, not the user's ~/.cache
const cacheDir = mkdtempSync(join(tmpdir(), 'clawops-test-cache-'));
const before = hostSnapshot();
const times = new URL('./suite-times.ts', import.meta.url).pathname;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${times}`, '--test-reporter-destination=stdout'];
const r = spawnSync(process.execPath, ['--test', ...reporters, '--test-concurrency=2', ...globs], {
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
