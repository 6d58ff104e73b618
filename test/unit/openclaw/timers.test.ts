import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec, type SpecInput } from '../../../src/desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../../../src/desired/resolve.ts';
import { PROFILES, renderOcWrapper, renderTimers } from '../../../src/openclaw/timers.ts';

const specOf = (input: SpecInput = {}): ResolvedSpec => resolveSpec(Spec.parse(input));

describe('check timers', () => {
  it('one service + timer per runbook schedule, each running clawops check --profile', () => {
    const files = renderTimers(specOf());
    assert.equal(files.length, PROFILES.length * 2 + 1, 'and the alert template the gateway units start');
    const alert = files.find((f) => f.path === '/etc/systemd/system/clawops-alert@.service')?.content ?? '';
    assert.match(alert, /^ExecStart=\/usr\/local\/bin\/clawops -f \/etc\/clawops\/clawops.yaml alert unit-event %i$/m);
    assert.match(alert, /^ProtectSystem=strict$/m);
    for (const p of PROFILES) {
      const svc = files.find((f) => f.path === `/etc/systemd/system/clawops-${p}.service`)?.content ?? '';
      const tim = files.find((f) => f.path === `/etc/systemd/system/clawops-${p}.timer`)?.content ?? '';
      assert.match(svc, new RegExp(`^ExecStart=/usr/local/bin/clawops -f /etc/clawops/clawops.yaml check --profile ${p} --format prom --alert$`, 'm'));
      assert.match(svc, /^Type=oneshot$/m);
      assert.match(svc, /^TimeoutStartSec=\S+$/m);
      assert.match(tim, /^OnCalendar=\S/m);
      assert.match(tim, /^WantedBy=timers.target$/m);
    }
    const backup = files.find((f) => f.path.endsWith('clawops-backup.service'))?.content ?? '';
    assert.ok(backup.indexOf('backup run') < backup.indexOf('check --profile backup'), 'backup runs before its check');
  });

  it('calendars come from the spec; the runbook defaults', () => {
    const files = renderTimers(specOf({ monitoring: { schedules: { health: '*:0/2' } } }));
    const cal = (p: string) => /^OnCalendar=(.*)$/m.exec(files.find((f) => f.path.endsWith(`clawops-${p}.timer`))?.content ?? '')?.[1];
    assert.equal(cal('health'), '*:0/2');
    assert.equal(cal('backup'), '*-*-* 02:00:00');
    assert.equal(cal('security'), '00/6:00:00');
    assert.equal(cal('integrity'), 'weekly');
  });

  it('no backup timer when backups are off; paths are options', () => {
    const files = renderTimers(specOf({ backup: { enabled: false } }), { clawopsBin: '/opt/claw ops/clawops', specPath: '/srv/c.yaml' });
    assert.ok(!files.some((f) => f.path.includes('backup')));
    assert.match(files[0]!.content, /^ExecStart="\/opt\/claw ops\/clawops" -f \/srv\/c.yaml check --profile health --format prom --alert$/m);
  });
});

describe('oc wrapper', () => {
  it('runs the pinned openclaw as the service user with its PATH; 9.x loads the token env file as that user', () => {
    const spec = specOf();
    const w = renderOcWrapper(spec, spec.resolved[0]!);
    assert.equal(w.path, '/usr/local/bin/oc');
    assert.match(w.content, /exec runuser -u 'openclaw-svc' -- env -i HOME='\/home\/openclaw-svc' PATH='\/home\/openclaw-svc\/.npm-global\/bin:/);
    assert.match(w.content, /OPENCLAW_SUPERVISOR_MODE=external/);
    assert.match(w.content, /'\/home\/openclaw-svc\/.openclaw\/gateway.systemd.env' '\/home\/openclaw-svc\/.npm-global\/bin\/openclaw' "\$@"/);
  });

  it('2.x: no env file, no supervisor mode; a second instance gets oc-<name>', () => {
    const spec = specOf({ openclaw: { version: '2026.2.9' }, instances: [{ name: 'a' }, { name: 'b' }] });
    const w = renderOcWrapper(spec, spec.resolved[1]!);
    assert.equal(w.path, '/usr/local/bin/oc-b');
    assert.doesNotMatch(w.content, /SUPERVISOR|gateway.systemd.env/);
    assert.match(w.content, /runuser -u 'b'/);
  });
});
