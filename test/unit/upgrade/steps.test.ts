import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, parseVersion } from '../../../src/openclaw/versions.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { Spec } from '../../../src/desired/schema.ts';
import { parseKnownGood, knownGoodPath } from '../../../src/upgrade/known-good.ts';
import { atVersion, linkTarget, versionDir } from '../../../src/upgrade/layout.ts';
import { exitFor, onFailure, preflightProblem, UPGRADE_STEPS } from '../../../src/upgrade/steps.ts';

describe('upgrade step planning', () => {
  test('what each failure point leads to', () => {
    const table = Object.fromEntries(UPGRADE_STEPS.map((s) => [s, onFailure(s, { installedByUs: true })]));
    assert.deepEqual(table, {
      preflight: 'abort', backup: 'abort', install: 'remove-install', stop: 'start-old',
      switch: 'rollback', unit: 'rollback', start: 'rollback', gate: 'rollback', record: 'keep',
    });
    // a version dir that was there before the upgrade is never removed
    assert.equal(onFailure('install', { installedByUs: false }), 'abort');
  });

  test('exit codes: 2 only when a rollback ran and worked', () => {
    assert.equal(exitFor('rollback', true), 2);
    assert.equal(exitFor('rollback', false), 1);
    for (const a of ['abort', 'remove-install', 'start-old', 'keep'] as const) assert.equal(exitFor(a, true), 1);
  });

  test('preflight refusals', () => {
    const p = (t: string, cur: string | null) => preflightProblem(t, cur, '2026.2.9', compareVersions, parseVersion);
    assert.match(p('latest', '2026.2.9') ?? '', /not an OpenClaw version/);
    assert.match(p('2026.1.30', '2026.2.9') ?? '', /below openclaw.minimumVersion 2026.2.9/);
    assert.match(p('2026.9.6', null) ?? '', /no OpenClaw is installed/);
    assert.match(p('2026.9.6', '2026.9.6') ?? '', /already the running version/);
    assert.equal(p('2026.9.6', '2026.2.9'), undefined);
  });
});

describe('side-by-side layout and the known-good record', () => {
  const spec = resolveSpec(Spec.parse({ instances: [{ name: 'oc', home: '/home/oc' }] }));
  const inst = spec.resolved[0]!;
  test('versions live beside the prefix; the link is relative', () => {
    assert.equal(versionDir(inst, '2026.9.6'), '/home/oc/.npm-global.versions/2026.9.6');
    assert.equal(linkTarget(inst, '2026.9.6'), '.npm-global.versions/2026.9.6');
    assert.equal(atVersion(inst, '2026.9.6').bin, '/home/oc/.npm-global.versions/2026.9.6/bin/openclaw');
    assert.equal(inst.bin, '/home/oc/.npm-global/bin/openclaw', 'the unit keeps running the prefix path');
  });
  test('known-good path and parsing', () => {
    assert.equal(knownGoodPath(spec, inst), '/var/lib/clawops/openclaw/oc/known-good.json');
    assert.equal(parseKnownGood(undefined), undefined);
    assert.equal(parseKnownGood('{nope'), undefined);
    assert.equal(parseKnownGood('{"kind":"backup"}'), undefined);
    const k = parseKnownGood(JSON.stringify({ schemaVersion: 1, kind: 'known-good', instance: 'oc', version: '2026.9.6', recordedAt: 'x', by: 'upgrade' }));
    assert.equal(k?.version, '2026.9.6');
  });
});
