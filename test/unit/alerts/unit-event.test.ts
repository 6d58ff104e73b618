import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseShow, parseUnitEvent, unitEventResult } from '../../../src/alerts/unit-event.ts';

const show = (s: string) => parseShow(s);

describe('gateway unit events as alert results', () => {
  it('the template instance name: <instance>:crash|failed, nothing else', () => {
    assert.deepEqual(parseUnitEvent('openclaw:crash'), { instance: 'openclaw', kind: 'crash' });
    assert.deepEqual(parseUnitEvent('agent-2:failed'), { instance: 'agent-2', kind: 'failed' });
    for (const bad of ['openclaw', 'openclaw:stop', '../x:crash', 'Openclaw:crash', 'a:crash:b']) assert.equal(parseUnitEvent(bad), null, bad);
  });
  it('a crash is service.active failing, with how the main process ended and the restart count', () => {
    const r = unitEventResult('openclaw', 'openclaw.service', 'crash', show('Result=signal\nExecMainCode=2\nExecMainStatus=9\nNRestarts=3\nActiveState=activating\nSubState=auto-restart\n'));
    assert.equal(r.id, 'service.active');
    assert.equal(r.instance, 'openclaw');
    assert.equal(r.severity, 'critical');
    assert.equal(r.evidence, 'openclaw.service crashed: main process killed with status 9 (signal); systemd restarts it (restart 3)');
    assert.match(r.remediation, /^journalctl -u openclaw\.service -n 50 says why; systemctl start openclaw\.service/);
  });
  it('the start-limit latch is service.start-limit; another final failure (exit 78) is service.active', () => {
    const latch = unitEventResult('openclaw', 'openclaw.service', 'failed', show('Result=start-limit-hit\nExecMainCode=2\nExecMainStatus=9\nNRestarts=5\nActiveState=failed'));
    assert.equal(latch.id, 'service.start-limit');
    assert.match(latch.evidence, /latched by its start limit after 5 restarts/);
    assert.match(latch.remediation, /systemctl reset-failed openclaw\.service/);
    const config = unitEventResult('openclaw', 'openclaw.service', 'failed', show('Result=exit-code\nExecMainCode=1\nExecMainStatus=78\nNRestarts=0\nActiveState=failed'));
    assert.equal(config.id, 'service.active');
    assert.equal(config.evidence, 'openclaw.service failed (exit-code: main process exited with status 78) and stays down: restarting cannot help (see its journal)');
  });
});
