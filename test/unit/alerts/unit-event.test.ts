import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnitEvent, unitEventResult } from '../../../src/alerts/unit-event.ts';
import type { UnitNow } from '../../../src/openclaw/probe.ts';

const show = (u: Partial<UnitNow>): UnitNow => ({ active: 'failed', sub: 'failed', mainPid: 0, status: '', code: '', result: '', restarts: 0, ...u });

describe('gateway unit events as alert results', () => {
  it('the template instance name: <instance>:crash|failed, nothing else', () => {
    assert.deepEqual(parseUnitEvent('openclaw:crash'), { instance: 'openclaw', kind: 'crash' });
    assert.deepEqual(parseUnitEvent('agent-2:failed'), { instance: 'agent-2', kind: 'failed' });
    for (const bad of ['openclaw', 'openclaw:stop', '../x:crash', 'Openclaw:crash', 'a:crash:b']) assert.equal(parseUnitEvent(bad), null, bad);
  });
  it('a crash is service.active failing, with how the main process ended and the restart count', () => {
    const r = unitEventResult('openclaw', 'openclaw.service', 'crash', show({ result: 'signal', code: 'killed', status: '9', restarts: 3, active: 'activating', sub: 'auto-restart' }));
    assert.equal(r.id, 'service.active');
    assert.equal(r.instance, 'openclaw');
    assert.equal(r.severity, 'critical');
    assert.equal(r.evidence, 'openclaw.service crashed: main process killed with status 9 (signal); systemd restarts it (restart 3)');
    assert.match(r.remediation, /^journalctl -u openclaw\.service -n 50 says why; systemctl start openclaw\.service/);
  });
  it('the start-limit latch is service.start-limit; another final failure (exit 78) is service.active', () => {
    const latch = unitEventResult('openclaw', 'openclaw.service', 'failed', show({ result: 'start-limit-hit', code: 'killed', status: '9', restarts: 5 }));
    assert.equal(latch.id, 'service.start-limit');
    assert.match(latch.evidence, /latched by its start limit after 5 restarts/);
    assert.match(latch.remediation, /systemctl reset-failed openclaw\.service/);
    // systemd 252 keeps the last crash's result when it refuses the automatic restart
    const kept = unitEventResult('openclaw', 'openclaw.service', 'failed', show({ result: 'signal', code: 'killed', status: '9', restarts: 5 }));
    assert.equal(kept.id, 'service.start-limit');
    const config = unitEventResult('openclaw', 'openclaw.service', 'failed', show({ result: 'exit-code', code: 'exited', status: '78' }));
    assert.equal(config.id, 'service.active');
    assert.equal(config.evidence, 'openclaw.service failed (exit-code: main process exited with status 78) and stays down: restarting cannot help (see its journal)');
  });
});
