import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Spec, type SpecInput } from '../../../src/desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../../../src/desired/resolve.ts';
import { gatewayUnitModel, renderGatewayUnit } from '../../../src/openclaw/unit.ts';
import { unitValues } from '../../../src/openclaw/systemd.ts';
import { parseSecurityJson, parseSecurityText } from '../../../src/openclaw/analyze.ts';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/samples/${name}`, import.meta.url), 'utf8');
const specOf = (input: SpecInput = {}): ResolvedSpec => resolveSpec(Spec.parse(input));
const VERSIONS = ['2026.9.6', '2026.2.9'] as const;

describe('gateway unit', () => {
  for (const v of VERSIONS) {
    it(`${v}: restart policy that survives the known restart loops`, () => {
      const spec = specOf();
      const m = gatewayUnitModel(spec, spec.resolved[0]!, v);
      assert.deepEqual(unitValues(m, 'Service', 'Restart'), ['always']);
      assert.deepEqual(unitValues(m, 'Service', 'RestartPreventExitStatus'), ['78']);
      assert.deepEqual(unitValues(m, 'Service', 'KillMode'), ['mixed']);
      assert.deepEqual(unitValues(m, 'Unit', 'StartLimitBurst'), ['5']);
      assert.deepEqual(unitValues(m, 'Unit', 'StartLimitIntervalSec'), ['300']);
      // StartLimit* belong in [Unit]; systemd ignores them in [Service]
      assert.deepEqual(unitValues(m, 'Service', 'StartLimitBurst'), []);
      assert.deepEqual(unitValues(m, 'Service', 'WatchdogSec'), []);
      assert.deepEqual(unitValues(m, 'Service', 'CapabilityBoundingSet'), ['']);
      assert.deepEqual(unitValues(m, 'Service', 'ExecStart'), ['/home/openclaw-svc/.npm-global/bin/openclaw gateway run']);
    });
  }

  it('9.x: token only through the EnvironmentFile, external supervisor mode, no RestrictSUIDSGID', () => {
    const spec = specOf();
    const inst = spec.resolved[0]!;
    const m = gatewayUnitModel(spec, inst, '2026.9.6');
    assert.ok(unitValues(m, 'Service', 'EnvironmentFile').includes(inst.envFile));
    assert.ok(unitValues(m, 'Service', 'Environment').includes('OPENCLAW_SUPERVISOR_MODE=external'));
    assert.deepEqual(unitValues(m, 'Service', 'RestrictSUIDSGID'), ['no']);
    assert.deepEqual(unitValues(m, 'Service', 'ExecReload'), ['/bin/kill -s SIGUSR2 $MAINPID']);
    assert.deepEqual(unitValues(m, 'Service', 'TimeoutStopSec'), ['330']);
  });

  it('2.x: no env-file token, no supervisor mode (unknown to 2.x), RestrictSUIDSGID kept, SIGUSR1', () => {
    const spec = specOf({ openclaw: { version: '2026.2.9' } });
    const inst = spec.resolved[0]!;
    const m = gatewayUnitModel(spec, inst, '2026.2.9');
    assert.ok(!unitValues(m, 'Service', 'EnvironmentFile').includes(inst.envFile));
    assert.ok(!unitValues(m, 'Service', 'Environment').some((e) => e.startsWith('OPENCLAW_SUPERVISOR_MODE')));
    assert.deepEqual(unitValues(m, 'Service', 'RestrictSUIDSGID'), ['yes']);
    assert.deepEqual(unitValues(m, 'Service', 'ExecReload'), ['/bin/kill -s SIGUSR1 $MAINPID']);
  });

  it('never contains a token value, only where the token is read from', () => {
    const text = renderGatewayUnit(specOf(), specOf().resolved[0]!, '2026.9.6');
    assert.doesNotMatch(text, /[0-9a-f]{32,}/);
    assert.doesNotMatch(text, /^Environment=OPENCLAW_GATEWAY_TOKEN/m);
  });

  it('per instance: its own user, home, identity files and syslog identifier; docker optional', () => {
    const spec = specOf({
      instances: [{ name: 'openclaw' }, { name: 'agent2', home: '/srv/agent two' }],
      docker: { enabled: false },
      identity: { files: ['SOUL.md', 'USER.md'] },
    });
    const inst = spec.resolved[1]!;
    const m = gatewayUnitModel(spec, inst, '2026.9.6');
    assert.deepEqual(unitValues(m, 'Service', 'User'), ['agent2']);
    assert.deepEqual(unitValues(m, 'Service', 'SyslogIdentifier'), ['agent2']);
    assert.deepEqual(unitValues(m, 'Service', 'BindPaths'), ['"/srv/agent two"']);
    assert.deepEqual(unitValues(m, 'Unit', 'Wants'), ['network-online.target']);
    const ro = unitValues(m, 'Service', 'ReadOnlyPaths');
    assert.ok(ro.includes('-"/srv/agent two/.openclaw/workspace/SOUL.md" -"/srv/agent two/.openclaw/workspace/USER.md"'), ro.join('|'));
  });

  it('refuses values that would break out of a unit line', () => {
    const spec = specOf({ instances: [{ name: 'x', home: '/home/x\nExecStartPre=/bin/sh' }] });
    assert.throws(() => renderGatewayUnit(spec, spec.resolved[0]!, '2026.9.6'), /line break/);
  });
});

describe('systemd-analyze security parsing (recorded runbook unit)', () => {
  it('reads the overall score and the open findings from the text output', () => {
    const r = parseSecurityText(sample('systemd-analyze-security.txt'));
    assert.equal(r.score, 5.9);
    assert.equal(r.level, 'MEDIUM');
    assert.equal(r.open[0]?.name, 'PrivateNetwork=');
    assert.equal(r.open[0]?.exposure, 0.5);
    assert.ok(r.open.some((f) => f.name === 'CapabilityBoundingSet=~CAP_SYS_ADMIN' && f.exposure === 0.3));
    assert.ok(!r.open.some((f) => f.name === 'NoNewPrivileges='));
  });

  it('the JSON form lists the same open findings', () => {
    const text = parseSecurityText(sample('systemd-analyze-security.txt')).open;
    const json = parseSecurityJson(sample('systemd-analyze-security.json'));
    assert.deepEqual(json.map((f) => [f.name, f.exposure]), text.map((f) => [f.name, f.exposure]));
  });

  it('output without an overall line is an error, not a score', () => {
    assert.throws(() => parseSecurityText('Failed to load unit\n'), /no overall exposure level/);
  });
});
