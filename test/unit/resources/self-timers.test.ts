/**
 * monitoring.timers right after `clawops apply`: a timer that has not fired yet has "never run"
 * unless its service was started by hand (the check's own remediation), which counts as a run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import type { Raw } from '../../../src/facts/types.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { hardenedRaw, NOW } from '../checks/hardened-facts.ts';

const cmd = (stdout: string): Raw => ({ t: 'cmd', exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 1 });
const sd = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/^/, 'Sat ');

function spec() {
  const r = parseSpec('{}');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

// as `systemctl show` prints a timer enabled a moment ago (never elapsed) and its service
const freshTimer = cmd(`Id=clawops-integrity.timer\nLoadState=loaded\nActiveState=active\nSubState=waiting\nUnitFileState=enabled\nLastTriggerUSec=n/a\nNextElapseUSecRealtime=${sd(NOW.getTime() + 6 * 86_400_000)}\nUnit=clawops-integrity.service\n`);
const service = (started: string) => cmd(`Id=clawops-integrity.service\nLoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=static\nResult=exit-code\nExecMainStartTimestamp=${started}\n`);

function timersResult(extra: [string, Raw][]) {
  const s = spec();
  const raw = hardenedRaw(s);
  for (const [k, v] of extra) raw.set(k, v);
  return evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW }), raw).find((r) => r.id === 'monitoring.timers');
}

describe('monitoring.timers after a fresh apply', () => {
  test('the hardened host passes', () => {
    assert.equal(timersResult([])?.status, 'pass');
  });

  test('a timer that has not fired and whose service never ran: fail, fixed by starting the service', () => {
    const r = timersResult([['unit:clawops-integrity.timer', freshTimer], ['unit:clawops-integrity.service', service('')]]);
    assert.equal(r?.status, 'fail', r?.evidence);
    assert.match(r?.evidence ?? '', /clawops-integrity\.timer has never run/);
    assert.match(r?.remediation ?? '', /systemctl start clawops-integrity\.service/);
  });

  test('the service started by hand a minute ago counts as a run (whatever its gate said)', () => {
    const r = timersResult([['unit:clawops-integrity.timer', freshTimer], ['unit:clawops-integrity.service', service(sd(NOW.getTime() - 60_000))]]);
    assert.equal(r?.status, 'pass', r?.evidence);
  });

  test('a run by hand long ago does not hide a timer that stopped firing', () => {
    const stale = cmd(`Id=clawops-integrity.timer\nLoadState=loaded\nActiveState=active\nSubState=waiting\nUnitFileState=enabled\nLastTriggerUSec=${sd(NOW.getTime() - 30 * 86_400_000)}\nNextElapseUSecRealtime=${sd(NOW.getTime() - 23 * 86_400_000)}\nUnit=clawops-integrity.service\n`);
    const r = timersResult([['unit:clawops-integrity.timer', stale], ['unit:clawops-integrity.service', service(sd(NOW.getTime() - 29 * 86_400_000))]]);
    assert.equal(r?.status, 'fail', r?.evidence);
    assert.match(r?.evidence ?? '', /clawops-integrity\.timer last ran/);
  });
});
