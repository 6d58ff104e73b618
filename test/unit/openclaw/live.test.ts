/** The pure parts behind the live-gateway gate: pairing verdicts, journal causes, the token reference, lint suppressions, settle dedupe. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planNow } from '../../../src/engine/plan.ts';
import { judgePairing, parsePairingState, type PairingState } from '../../../src/openclaw/pairing.ts';
import { boundLines, invalidConfigKeys, journalCause } from '../../../src/facts/journal.ts';
import { isTokenRef, tokenRefValue, TOKEN_REF } from '../../../src/openclaw/token.ts';
import { envRefVariable } from '../../../src/checks/config-helpers.ts';
import { capabilities } from '../../../src/openclaw/versions.ts';
import { suppressionFor } from '../../../src/checks/doctor-lint.ts';
import { parseLint } from '../../../src/facts/openclaw-live.ts';
import { renderGatewayUnit } from '../../../src/openclaw/unit.ts';
import { desiredConfigKeys } from '../../../src/openclaw/config-keys.ts';
import { settleAll } from '../../../src/engine/apply.ts';
import type { Resource } from '../../../src/engine/types.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { EXIT78_JOURNAL } from '../checks/hardened-facts.ts';

const specOf = (yaml = '{}') => {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};

const paired = (scopes: string[], cached: string[] | null = scopes): PairingState => ({
  db: true,
  deviceId: 'cc4c82c0aa8c4ae998d1',
  cached: cached ? [{ role: 'operator', scopes: cached }] : [],
  paired: { role: 'operator', roles: ['operator'], scopes, approvedScopes: scopes, approvedVia: 'silent', clientId: 'cli', clientMode: 'cli' },
});

describe('device pairing for the deep audit probe', () => {
  it('passes only for exactly operator.read, paired and cached', () => {
    assert.deepEqual(judgePairing(paired(['operator.read'])), { ok: true, detail: 'device cc4c82c0aa8c paired as operator with operator.read only (approved via silent)' });
    const cases: [PairingState, string][] = [
      [{ db: false }, 'no-db'],
      [{ db: true, deviceId: null, cached: [], paired: null }, 'no-identity'],
      [{ ...paired(['operator.read']), paired: null }, 'not-paired'],
      [paired(['operator.read'], null), 'no-cached-token'],
      [paired(['operator.admin']), 'too-wide'],
      [paired(['operator.read'], ['operator.read', 'operator.write']), 'too-wide'],
      [paired(['operator.read'], []), 'too-narrow'],
    ];
    for (const [state, reason] of cases) {
      const v = judgePairing(state);
      assert.equal(v.ok ? 'ok' : v.reason, reason, JSON.stringify(state));
    }
    assert.match((judgePairing(paired(['operator.admin'])) as { detail: string }).detail, /paired wider than operator\.read: operator\.admin/);
  });
  it('parses the read script output (its last line) and refuses anything else', () => {
    assert.deepEqual(parsePairingState('noise\n{"db":false}\n'), { db: false });
    assert.throws(() => parsePairingState('{"x":1}'), /no "db" field/);
  });
});

describe('the cause of a stopped unit, from its journal', () => {
  it('exit 78: the status and the key OpenClaw names', () => {
    const lines = boundLines(EXIT78_JOURNAL);
    assert.deepEqual(invalidConfigKeys(lines), ['gateway.controlUi: Unrecognized key: "allowInsecureAuth"']);
    assert.equal(
      journalCause(lines, { status: '78', code: '1', result: 'exit-code' }),
      'exit status 78 (EX_CONFIG: OpenClaw rejected its configuration; systemd does not restart it); config: gateway.controlUi: Unrecognized key: "allowInsecureAuth"',
    );
  });
  it('a kill, a one-line config error, or the last error line', () => {
    assert.equal(journalCause(['started'], { status: '9', code: '2' }), 'killed by signal 9');
    assert.equal(journalCause(['Config invalid after patch (gateway.port: Expected number).'], { status: '1', code: '1' }), 'exit status 1; config: gateway.port: Expected number');
    assert.equal(journalCause(['a', '[gateway] failed to acquire gateway lock: openat2 ENOSYS', 'b'], { status: '1', code: '1' }), 'exit status 1; journal: [gateway] failed to acquire gateway lock: openat2 ENOSYS');
    assert.equal(journalCause([], {}), '');
  });
  it('bounds what it keeps: 50 lines of at most 400 characters', () => {
    const lines = boundLines(Array.from({ length: 80 }, (_, i) => `${i} ${'x'.repeat(500)}`).join('\n'));
    assert.equal(lines.length, 50);
    assert.ok(lines[0]!.startsWith('30 '));
    assert.equal(lines[0]!.length, 401);
  });
});

describe('the token reference per version', () => {
  it('9.x: a SecretRef object; 2.x keeps the token in the config (no reference)', () => {
    assert.deepEqual(tokenRefValue('2026.9.6'), { source: 'env', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' });
    assert.equal(isTokenRef({ source: 'env', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' }, '2026.9.6'), true);
    assert.equal(isTokenRef({ source: 'env', id: 'OPENCLAW_GATEWAY_TOKEN' }, '2026.9.6'), true);
    assert.equal(isTokenRef(TOKEN_REF, '2026.9.6'), false, 'the string form is rewritten (doctor --lint: plaintext)');
    assert.equal(isTokenRef({ source: 'file', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' }, '2026.9.6'), false);
    assert.equal(capabilities('2026.2.9').tokenSecretRef, false);
  });
  it('the checks read both forms as an env reference', () => {
    assert.equal(envRefVariable('${OPENCLAW_GATEWAY_TOKEN}'), 'OPENCLAW_GATEWAY_TOKEN');
    assert.equal(envRefVariable({ source: 'env', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' }), 'OPENCLAW_GATEWAY_TOKEN');
    assert.equal(envRefVariable({ source: 'exec', id: 'X' }), undefined);
    assert.equal(envRefVariable('literal'), undefined);
  });
  it('2.9 needs no device pairing and has no doctor --lint; 9.6 needs and has both', () => {
    const [old, cur] = [capabilities('2026.2.9'), capabilities('2026.9.6')];
    assert.deepEqual([old.deepAuditNeedsDevicePairing, old.doctorLint, cur.deepAuditNeedsDevicePairing, cur.doctorLint], [false, false, true, true]);
  });
});

describe('doctor --lint suppressions', () => {
  const finding = { checkId: 'core/doctor/node-hosting-preconditions', severity: 'warning', message: 'loopback', path: 'gateway.bind' };
  it('apply only while the spec makes the choice the finding is about', () => {
    assert.match(suppressionFor(finding, specOf())?.reason ?? '', /loopback on purpose/);
    assert.equal(suppressionFor(finding, specOf('gateway: {bind: lan}')), undefined);
    assert.equal(suppressionFor({ ...finding, checkId: 'core/doctor/security' }, specOf()), undefined);
  });
  it('parses the JSON report after any banner', () => {
    const v = parseLint('banner\n{"ok":true,"checksRun":3,"findings":[]}', 0);
    assert.deepEqual(v, { ok: true, checksRun: 3, findings: [], exitCode: 0 });
    assert.match((parseLint('nothing', 2, 'boom') as { unknown: string }).unknown, /no JSON \(exit 2\): boom/);
  });
});

describe('the file log', () => {
  it('the unit gives the gateway a persistent log directory (0750) and the config points logging.file into it', () => {
    const spec = specOf();
    const inst = spec.resolved[0]!;
    const unit = renderGatewayUnit(spec, inst, '2026.9.6');
    assert.match(unit, /^LogsDirectory=openclaw\/openclaw$/m);
    assert.match(unit, /^LogsDirectoryMode=0750$/m);
    const key = desiredConfigKeys(spec, inst, '2026.9.6').find((k) => k.path.join('.') === 'logging.file');
    assert.equal(key?.value, '/var/log/openclaw/openclaw/gateway.log');
  });
});

describe('engine settle', () => {
  it('runs once per settle key among the resources that changed, in order; a failure fails the apply with its cause', async () => {
    const calls: string[] = [];
    const r = (id: string, key?: string, fail = false): Resource => ({
      id, kind: 'k', needs: () => [], plan: () => ({ noop: '' }), apply: async () => {},
      ...(key ? { settleKey: key, settle: async () => { calls.push(`${id}@${key}`); if (fail) throw new Error('not healthy: exit status 78'); return `ok ${key}`; } } : {}),
    });
    const journal = { id: 'j1', saveFile: async () => {}, saveStep: async () => {} };
    const ex = new RecorderExecutor('recorder:unit');
    const steps = await settleAll([r('token', 'gw:a'), r('plain'), r('config', 'gw:a'), r('unit', 'gw:b')], ex, journal, () => {});
    assert.deepEqual(calls, ['token@gw:a', 'unit@gw:b']);
    assert.deepEqual(steps.map((s) => `${s.resourceId} ${s.summary}`), ['settle:gw:a ok gw:a', 'settle:gw:b ok gw:b']);
    await assert.rejects(settleAll([r('x', 'gw:c', true)], ex, journal, () => {}), /apply did not settle \(gw:c\): not healthy: exit status 78/);
  });
});

describe('the cause line prefers the program over systemd', () => {
  it("quotes OpenClaw's own failure, not systemd's 'Failed with result'", () => {
    const lines = [
      'Gateway failed to start: state lease heartbeat did not become ready (phase=startup, timeoutMs=5000)',
      'openclaw.service: Main process exited, code=exited, status=1/FAILURE',
      "openclaw.service: Failed with result 'exit-code'.",
    ];
    assert.equal(journalCause(lines, { status: '1', code: '1' }), 'exit status 1; journal: Gateway failed to start: state lease heartbeat did not become ready (phase=startup, timeoutMs=5000)');
  });
});

describe('per version: what the OpenClaw layer adds', () => {
  it('9.6: the pairing resource and self-rotated logs; 2.9: no pairing needed, logrotate for its file log', async () => {
    const { openclawResources } = await import('../../../src/openclaw/index.ts');
    const ids = (v: string) => openclawResources(specOf(`openclaw: {version: "${v}"}`)).map((r) => r.id);
    assert.ok(ids('2026.9.6').includes('openclaw-pairing:openclaw'));
    assert.ok(!ids('2026.9.6').includes('openclaw-logrotate:openclaw'));
    assert.ok(ids('2026.2.9').includes('openclaw-logrotate:openclaw'));
    const pairing29 = openclawResources(specOf('openclaw: {version: "2026.2.9"}')).find((r) => r.id === 'openclaw-pairing:openclaw')!;
    const plan = await planNow(pairing29, new RecorderExecutor('recorder:unit'));
    assert.ok('noop' in plan && /needs no device pairing/.test(plan.noop));
    const { renderLogrotate } = await import('../../../src/openclaw/paths.ts');
    const lr = renderLogrotate(specOf().resolved[0]!);
    assert.equal(lr.path, '/etc/logrotate.d/openclaw-openclaw');
    assert.match(lr.content, /^\/var\/log\/openclaw\/openclaw\/\*\.log \{\n  su openclaw-svc openclaw-svc\n/m);
    assert.match(lr.content, /copytruncate/);
  });
  it('the settling resources share one settle key per instance; the pairing waits for the gateway itself', async () => {
    const { openclawResources } = await import('../../../src/openclaw/index.ts');
    const rs = openclawResources(specOf());
    const keys = rs.filter((r) => r.settle).map((r) => `${r.id}=${r.settleKey}`);
    assert.deepEqual(keys, ['openclaw-config-repair:openclaw=gateway:openclaw', 'openclaw-token:openclaw=gateway:openclaw', 'openclaw-config:openclaw=gateway:openclaw', 'openclaw-unit:openclaw=gateway:openclaw', 'openclaw-unit-dropins:openclaw=gateway:openclaw', 'service:openclaw.service=gateway:openclaw', 'openclaw-token-live:openclaw=gateway:openclaw']);
  });
});

describe('exit 78 as 2026.9.6 wrote it on the testbed', () => {
  it('names the rejected key from "Invalid config at ...: openclaw.json:2 — KEY: why"', () => {
    const lines = [
      '2026-12-02T18:45:32.971+00:00 Gateway failed to start: Invalid config at /home/openclaw-svc/.openclaw/openclaw.json:',
      'openclaw.json:2 — gateway: Unrecognized key: "clawopsBogusKey"',
      'Run "openclaw doctor --fix" to repair, then retry.',
      'openclaw.service: Main process exited, code=exited, status=78/CONFIG',
    ];
    assert.equal(journalCause(lines, { status: '78', code: '1' }), 'exit status 78 (EX_CONFIG: OpenClaw rejected its configuration; systemd does not restart it); config: gateway: Unrecognized key: "clawopsBogusKey"');
  });
});
