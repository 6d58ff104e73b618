import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planService, serviceResource } from '../../../src/resources/service.ts';
import { systemdUnit } from '../../../src/facts/systemd.ts';
import { ref } from '../../../src/facts/types.ts';
import { factsOf } from '../../helpers/facts.ts';

test('service: plans from the gate\'s unit fact (UnitFileState, ActiveState); a missing unit is enabled and started', async () => {
  const r = serviceResource('x.service');
  const unit = (p: Record<string, string>) => factsOf([[ref(systemdUnit, 'x.service'), { Id: 'x.service', ...p }]]);
  assert.ok('noop' in (await r.plan(unit({ LoadState: 'loaded', ActiveState: 'active', UnitFileState: 'enabled' }))));
  const out = await r.plan(unit({ LoadState: 'not-found', ActiveState: 'inactive', UnitFileState: '' }));
  assert.ok('changes' in out);
  assert.match(out.changes[0]?.summary ?? '', /enable and start x.service \(is not-found, inactive\)/);
});

const cases = [
  { name: 'enabled+active -> no-op', cur: { enabled: 'enabled', active: 'active' }, data: null },
  { name: 'disabled+inactive -> enable and start; undo disables and stops', cur: { enabled: 'disabled', active: 'inactive' }, data: { enable: true, start: true, undoArgv: ['sh', '-c', 'systemctl disable -- x.service && systemctl stop -- x.service'] } },
  { name: 'enabled but failed -> start; undo stops', cur: { enabled: 'enabled', active: 'failed' }, data: { enable: false, start: true, undoArgv: ['systemctl', 'stop', '--', 'x.service'] } },
  { name: 'static unit active -> no-op', cur: { enabled: 'static', active: 'active' }, data: null },
];
for (const c of cases) {
  test(`service: ${c.name}`, () => {
    const out = planService('service:x.service', 'x.service', c.cur);
    if (c.data === null) return assert.ok('noop' in out);
    assert.ok('changes' in out);
    assert.deepEqual(out.changes[0]?.data, { unit: 'x.service', ...c.data });
  });
}
