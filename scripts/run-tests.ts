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
const roots = args.length > 0 ? args : ['test/e2e', 'test/unit'];
const found = roots.flatMap((f) => (f.endsWith('.ts') ? (existsSync(f) ? [f] : []) : globSync(`${f}/**/*.test.ts`).sort()));
// Files start in this order as workers free up: the longest testbed suites first, so that no long
// file starts last and runs alone at the end (the slowest first, measured by suite-times' table).
const LONGEST_FIRST = ['apply-openclaw-2026.9.6', 'sandbox-docker', 'apply-openclaw-2026.2.9', 'secrets-canary', 'standby-sync', 'upgrade-cli', 'openclaw-gateway'];
const rank = (f: string): number => {
  const i = LONGEST_FIRST.findIndex((name) => f.endsWith(`/${name}.test.ts`));
  return i === -1 ? LONGEST_FIRST.length : i;
};
const files = [...new Set(found)].map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
// Two at once: the testbed suites keep a 2-core CI machine busy (a third worker made the run longer,
// 3111 s against 2932 s); CLAWOPS_TEST_CONCURRENCY overrides it.
const concurrency = Number(process.env.CLAWOPS_TEST_CONCURRENCY ?? 2);

// the spec cache of in-process CLI runs goes to a scratch directory, not the user's ~/.cache
const cacheDir = mkdtempSync(join(tmpdir(), 'clawops-test-cache-'));
const before = hostSnapshot();
const times = new URL('./suite-times.ts', import.meta.url).pathname;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${times}`, '--test-reporter-destination=stdout'];
const r = spawnSync(process.execPath, ['--test', ...reporters, `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  env: { ...process.env, CLAWOPS_CACHE_DIR: cacheDir, CLAWOPS_TEST_CONCURRENCY: String(concurrency) },
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
