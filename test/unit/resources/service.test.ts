import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServiceRead, planService } from '../../../src/resources/service.ts';

test('service: parse `systemctl is-enabled; is-active`', () => {
  assert.deepEqual(parseServiceRead('enabled\n--\nactive\n'), { enabled: 'enabled', active: 'active' });
  assert.deepEqual(parseServiceRead('\n--\ninactive\n'), { enabled: 'unknown', active: 'inactive' });
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
