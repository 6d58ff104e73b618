/**
 * The dead-man ping against a healthchecks-style stand-in monitor on loopback: health runs ping
 * /start then success (or /fail), the monitor is up; monitoring stops (no more runs) and the
 * monitor raises "down" by itself within its period + grace, with no ping after the stop.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { dispatchAlerts, pingStart } from '../../../src/alerts/dispatch.ts';
import type { CheckResult } from '../../../src/checks/types.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { Spec } from '../../../src/desired/schema.ts';
import { localExecutor } from '../../../src/exec/local.ts';
import { deadmanMonitor } from '../../helpers/deadman.ts';

const PERIOD = 600;
const GRACE = 400;
const dir = mkdtempSync(join(tmpdir(), 'clawops-deadman-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ok: CheckResult = { id: 'service.active', title: 'up', area: 'service', severity: 'critical', instance: 'openclaw', status: 'pass', evidence: 'active', remediation: '-', durationMs: 1 };

it('health runs keep the dead-man monitor up; when they stop, it raises down within period + grace', { timeout: 30_000 }, async () => {
  const monitor = await deadmanMonitor({ periodMs: PERIOD, graceMs: GRACE });
  try {
    const spec = resolveSpec(Spec.parse({ stateDir: join(dir, 'state'), monitoring: { alerts: [{ type: 'ping', url: { env: 'PING_URL' } }] } }));
    const env = { PING_URL: `${monitor.url}/ping/5f1c0e7a-canary` };
    const ex = localExecutor();
    const healthRun = async (results: CheckResult[]) => {
      assert.deepEqual(await pingStart(ex, spec, env), []);
      await dispatchAlerts(ex, spec, results, { now: new Date(), env, profile: 'health', gate: results.every((r) => r.status === 'pass') ? 'pass' : 'fail', timeoutMs: 2000 });
    };
    for (let i = 0; i < 4; i++) {
      await healthRun([ok]);
      await new Promise((r) => setTimeout(r, PERIOD / 3));
    }
    assert.equal(monitor.state(), 'up');
    assert.deepEqual([...new Set(monitor.pings.map((p) => p.kind))].sort(), ['start', 'success']);
    // a failing run: /fail, down at once; the next passing run: up again
    await healthRun([{ ...ok, status: 'fail' }]);
    assert.equal(monitor.state(), 'down');
    await healthRun([ok]);
    assert.equal(monitor.state(), 'up');
    // monitoring stops: the timers are disabled, nothing pings
    const stopped = Date.now();
    const pingsBefore = monitor.pings.length;
    while (monitor.state() === 'up' && Date.now() - stopped < 5 * (PERIOD + GRACE)) await new Promise((r) => setTimeout(r, 20));
    const down = monitor.changes.at(-1)!;
    assert.equal(down.state, 'down');
    assert.match(down.why, /^no ping for \d+ ms$/);
    // the stand-in looks every 20 ms; a loaded machine may run its timer late
    assert.ok(down.at - stopped <= PERIOD + GRACE + 1000, `down ${down.at - stopped} ms after the last run (period ${PERIOD} + grace ${GRACE})`);
    assert.equal(monitor.pings.length, pingsBefore, 'no ping after monitoring stopped');
  } finally {
    await monitor.close();
  }
});
