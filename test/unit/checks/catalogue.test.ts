import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE } from '../../../src/checks/catalogue.ts';
import { evaluateRun, planRun, summarize } from '../../../src/checks/run.ts';
import { PROFILES } from '../../../src/facts/paths.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';
import { hardenedRaw, hardenedSpec, NOW } from './hardened-facts.ts';

export const spec = (yaml = ''): ResolvedSpec => hardenedSpec(yaml);

describe('catalogue', () => {
  it('ids are unique, dotted, and every check names its runbook step and remediation', () => {
    const ids = CATALOGUE.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of CATALOGUE) {
      assert.match(c.id, /^[a-z0-9-]+(\.[a-z0-9-]+)+$/, c.id);
      assert.ok(c.runbook.length > 5 && c.remediation.length > 5, c.id);
      assert.ok(c.profiles.length > 0, c.id);
    }
  });
  it('every profile has checks; go-live has all but the waivers check is in every profile', () => {
    for (const p of PROFILES) assert.ok(CATALOGUE.some((c) => c.profiles.includes(p)), p);
    assert.ok(CATALOGUE.every((c) => c.profiles.includes('go-live')));
  });
  it('the health profile never spawns the openclaw CLI', () => {
    const planned = planRun({ spec: spec(), profile: 'health', now: NOW });
    const kinds = new Set(planned.flatMap((p) => p.refs.map((r) => r.kind)));
    assert.ok(planned.length >= 5);
    for (const k of kinds) assert.notEqual(k.spawnsOpenclaw, true, k.kind);
    assert.deepEqual([...kinds].map((k) => k.kind).sort(), ['http', 'listen', 'openclaw.install', 'tailscale.status', 'unit', 'unit.journal']);
  });
  for (const version of ['2026.9.6', '2026.2.9'] as const) {
    it(`every go-live check passes on a hardened ${version} host, except the channel pairing (unknown, with its reason)`, () => {
      const s = spec(`openclaw: {version: "${version}"}`);
      const results = evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW }), hardenedRaw(s, version));
      const notPass = results.filter((r) => r.status !== 'pass' && r.status !== 'skipped');
      assert.deepEqual(notPass.map((r) => `${r.id}: ${r.status}`), ['access.channel.paired: unknown']);
      assert.match(notPass[0]!.evidence, /no sender approved through clawops for telegram: DM the bot, then clawops pairing approve <channel> CODE/);
      assert.equal(summarize(results, 'warn', true).gate, 'pass');
      assert.equal(summarize(results, 'warn', false).gate, 'fail');
    });
  }
  it('a fact that was not collected is unknown, and unknown blocks the gate unless allowed', () => {
    const s = spec();
    const results = evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW }), new Map());
    // what judges the spec alone (waivers, the sandbox's way to Docker) needs no fact
    assert.ok(results.every((r) => r.status !== 'pass' || ['waivers.valid', 'sandbox.docker-access'].includes(r.id)));
    const unknowns = results.filter((r) => r.status === 'unknown');
    assert.ok(unknowns.length > 20);
    assert.equal(summarize(results, 'warn', false).gate, 'fail');
    const onlyUnknown = unknowns.filter((r) => r.severity === 'critical');
    assert.equal(summarize(onlyUnknown, 'warn', true).gate, 'pass');
    assert.equal(summarize(onlyUnknown, 'warn', false).gate, 'fail');
  });
});
