/**
 * Sign-off on the recorded facts of a hardened host: refused with each failing precondition
 * named; granted, the frozen record makes the config.frozen check fail on a changed setting, unit
 * or identity file (named), and not on OpenClaw's own bookkeeping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import { NO_WAIVERS } from '../../../src/checks/waivers.ts';
import { factReader } from '../../../src/facts/collect.ts';
import type { Raw } from '../../../src/facts/types.ts';
import type { BurninStatus } from '../../../src/ledger/burnin.ts';
import { freeze, preconditions } from '../../../src/ledger/signoff.ts';
import { hardenedConfig, hardenedRaw, hardenedSpec, NOW } from '../checks/hardened-facts.ts';

const spec = hardenedSpec();
const CFG = 'openclaw.config:/home/openclaw-svc/.openclaw/openclaw.json';
const UNIT = 'sha256:/etc/systemd/system/openclaw.service';
const FROZEN = 'file:/var/lib/clawops/frozen.json';
const file = (content: string | null): Raw => ({ t: 'file', content, durationMs: 1 });
const cmd = (stdout: string): Raw => ({ t: 'cmd', exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 1 });
const burnin = (streak: number): BurninStatus => ({
  streak, target: 7, complete: streak >= 7, today: { day: '2026-11-21', clean: true, reasons: [] },
  days: streak >= 7 ? [] : [{ day: '2026-11-18', clean: false, reasons: ['a 105 min gap in health runs (limit 15 min)'] }],
});

function gate(raw: Map<string, Raw>) {
  const results = evaluateRun(planRun({ spec, profile: 'go-live', now: NOW, waivers: NO_WAIVERS }), raw, NO_WAIVERS);
  return { results, facts: factReader(raw) };
}
const pre = (raw: Map<string, Raw>, streak = 7) => preconditions({ spec, now: NOW, burnin: burnin(streak), ...gate(raw), failOn: 'warn', allowUnknown: true });
const failing = (raw: Map<string, Raw>, streak = 7) => pre(raw, streak).filter((p) => !p.ok).map((p) => `${p.name}: ${p.detail}`);

describe('clawops signoff', () => {
  it('on the hardened host after a complete burn-in: every precondition holds', () => {
    assert.deepEqual(failing(hardenedRaw(spec)), []);
  });

  it('refuses with each failing precondition named: burn-in, gate, drill, backup', () => {
    const raw = hardenedRaw(spec);
    raw.set(CFG, file(JSON.stringify({ ...hardenedConfig('2026.9.6'), gateway: { ...(hardenedConfig('2026.9.6').gateway as object), bind: 'lan' } })));
    raw.set('file:/var/lib/clawops/backup/drill.json', file(JSON.stringify({ schemaVersion: 1, kind: 'drill', ok: true, startedAt: '2026-11-10T00:00:00Z', finishedAt: '2026-11-10T00:01:00Z', lastSuccessAt: '2026-11-10T00:01:00Z', host: 'h', instance: 'openclaw', steps: [] })));
    raw.set('file:/var/lib/clawops/backup/last.json', file(JSON.stringify({ schemaVersion: 1, kind: 'backup', ok: false, startedAt: '2026-11-19T02:00:00Z', finishedAt: '2026-11-19T02:01:00Z', lastSuccessAt: '2026-11-19T02:01:00Z', durationMs: 1, host: 'h', repository: 'r', instances: [] })));
    const f = failing(raw, 3);
    assert.equal(f.length, 4, f.join('\n'));
    assert.match(f[0]!, /^burn-in: day 3 of 7; 2026-11-18: a 105 min gap/);
    assert.match(f[1]!, /^go-live gate: fails now: .*openclaw\.config\.bind\[openclaw\] fail/);
    assert.match(f[2]!, /^restore drill: last successful drill 11\.5 days ago \(needed: within 7\)/);
    assert.match(f[3]!, /^backup: last successful backup 58\.0 h ago \(RPO 24 h\)/);
  });

  it('a failing config.frozen (a reviewed change) does not block a new sign-off', () => {
    const raw = hardenedRaw(spec);
    raw.set(FROZEN, file(JSON.stringify({ schemaVersion: 1, signedOffAt: '2026-11-01T00:00:00Z', by: 'ops', digests: { '/etc/clawops/clawops.yaml': 'sha256:old' } })));
    const r = gate(raw).results.find((x) => x.id === 'config.frozen');
    assert.equal(r?.status, 'fail');
    assert.deepEqual(failing(raw), []);
  });

  it('frozen: the changed setting, unit or identity file is named; OpenClaw\'s meta bookkeeping is not a change', () => {
    const raw = hardenedRaw(spec);
    const before = gate(raw).results.find((x) => x.id === 'config.frozen');
    assert.equal(before?.status, 'skipped');
    assert.match(before!.evidence, /not signed off yet/);
    const f = freeze(factReader(raw), spec, NOW, 'ops');
    assert.ok('record' in f);
    raw.set(FROZEN, file(JSON.stringify(f.record)));
    const status = () => gate(raw).results.find((x) => x.id === 'config.frozen')!;
    assert.equal(status().status, 'pass', status().evidence);
    assert.match(status().evidence, /items as signed off at 2026-11-21T12:00:00.000Z by ops/);

    raw.set(CFG, file(JSON.stringify({ ...hardenedConfig('2026.9.6'), meta: { lastTouchedAt: '2026-11-22T00:00:00Z' } })));
    assert.equal(status().status, 'pass', 'meta only');
    raw.set(CFG, file(JSON.stringify({ ...hardenedConfig('2026.9.6'), tools: { profile: 'full' } })));
    assert.equal(status().status, 'fail');
    assert.match(status().evidence, /changed since the sign-off of 2026-11-21T12:00:00.000Z: \/home\/openclaw-svc\/\.openclaw\/openclaw\.json \(settings\)/);
    raw.set(UNIT, cmd(`${'b'.repeat(64)}\n`));
    assert.match(status().evidence, /: \/etc\/systemd\/system\/openclaw\.service, \/home\/openclaw-svc\/\.openclaw\/openclaw\.json \(settings\)$/);
  });

  it('nothing is frozen when an item cannot be read', () => {
    const raw = hardenedRaw(spec);
    raw.set(UNIT, { t: 'error', message: 'permission denied', durationMs: 1 });
    const f = freeze(factReader(raw), spec, NOW, 'ops');
    assert.ok('unreadable' in f && /openclaw\.service/.test(f.unreadable.join()));
  });
});
