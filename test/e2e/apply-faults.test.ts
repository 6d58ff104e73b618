/**
 * Fault injection: `clawops apply` SIGKILLs itself (CLAWOPS_FAULT_AT, test-only) at successive
 * points of one apply. After each kill: no temp file left beside a managed file, every managed
 * file is either absent or complete, the journal is readable, the host lock is free at once (the
 * kernel released it with the killed run: there is no stale lock to recover); the next run goes
 * further; the last run converges and a re-plan is empty.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops, EXAMPLE, leftoverTempFiles } from './apply-cli.ts';

// in apply order, so each run reaches the next point
const POINTS = [
  'lock-acquired',
  'journal-begun',
  'during:apt:packages',
  'after:user:openclaw-svc',
  'saved:dir:/home/openclaw-agent2',
  'saved:file:/etc/fail2ban/jail.local',
  'before:json-merge:/etc/docker/daemon.json',
];

describe('apply: kill -9 at any point leaves no half-written file and a re-run converges', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed();
    await addTailscaleStandIn(tb.executor);
  });
  after(() => tb?.stop());
  const lockIsFree = async () =>
    (await tb.executor.run(['flock', '-w', '1', '/var/lib/clawops/lock', 'true'], { allowFailure: true })).exitCode === 0;

  test(`killed at ${POINTS.length} points, then converges`, async (t) => {
    const target = ['--target', `nspawn:${tb.name}`, '-f', EXAMPLE];
    const expected = {
      '/etc/fail2ban/jail.local': (await clawops(['render', 'jail.local', '-f', EXAMPLE])).stdout,
      '/etc/apt/apt.conf.d/20auto-upgrades': (await clawops(['render', 'auto-upgrades', '-f', EXAMPLE])).stdout,
    };
    for (const point of POINTS) {
      const r = await clawops(['apply', '--yes', ...target], { CLAWOPS_FAULT_AT: point, CLAWOPS_FAULT_DELAY_MS: '3000' });
      assert.equal(r.signal, 'SIGKILL', `apply should have been killed at ${point}; it ended with ${r.code}: ${r.stderr.slice(-400)}`);
      assert.doesNotMatch(r.stderr, /holds the lock|waiting up to/, `run for ${point} found the lock free`);
      assert.equal(await lockIsFree(), true, `the lock is free right after a kill at ${point}`);
      // orphaned commands of the killed run (apt-get) finish by themselves; wait for dpkg to be idle
      await tb.executor.run(['sh', '-c', 'for i in $(seq 600); do fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1 || exit 0; sleep 0.5; done; exit 1'], { timeoutMs: 320_000, allowFailure: true });
      assert.deepEqual(await leftoverTempFiles(tb.executor), [], `no temp file after a kill at ${point}`);
      for (const [path, content] of Object.entries(expected)) {
        const now = (await tb.executor.readFile(path))?.toString();
        if (path.includes('20auto-upgrades') && now !== undefined && now !== content) continue; // the package's own version before clawops writes it
        assert.ok(now === undefined || now === content, `${path} is absent or complete after a kill at ${point}`);
      }
      const daemon = (await tb.executor.readFile('/etc/docker/daemon.json'))?.toString();
      if (daemon !== undefined) JSON.parse(daemon);
      const journals = await tb.executor.run(['sh', '-c', 'cat /var/lib/clawops/journal/*/apply.json 2>/dev/null | grep -c \'"status"\' || true']);
      t.diagnostic(`killed at ${point}: ${journals.stdout.trim()} journal(s)`);
    }
    const last = await clawops(['apply', '--yes', ...target]);
    assert.equal(last.code, 0, last.stderr);
    assert.doesNotMatch(last.stderr, /holds the lock|waiting up to/);
    const plan = await clawops(['plan', '--detailed-exitcode', ...target]);
    assert.equal(plan.code, 0, plan.stdout);
    for (const [path, content] of Object.entries(expected)) assert.equal((await tb.executor.readFile(path))?.toString(), content);
    assert.deepEqual(await leftoverTempFiles(tb.executor), []);
    assert.equal(await lockIsFree(), true, 'the lock is released');
  });
});
