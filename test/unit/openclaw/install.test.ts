import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec, type SpecInput } from '../../../src/desired/schema.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { PlanProblemError } from '../../../src/engine/errors.ts';
import { type InstallData, type InstallState, binOf, npmInstallArgv, openclawInstallResource, parseLayout, planInstall } from '../../../src/openclaw/install.ts';
import { versionsRoot } from '../../../src/upgrade/layout.ts';

const specOf = (input: SpecInput = {}) => resolveSpec(Spec.parse(input));

describe('openclaw install plan', () => {
  it('installs the pinned version as the service user into its npm prefix', () => {
    const spec = specOf();
    const inst = spec.resolved[0]!;
    const o = planInstall(spec, inst, {}, { prefix: inst.npmPrefix, installed: null, binPresent: false });
    assert.ok('changes' in o);
    assert.equal(o.changes[0]?.action, 'add');
    assert.deepEqual((o.changes[0]?.data as InstallData).argv, [
      'npm', 'install', '--global', '--prefix', '/home/openclaw-svc/.npm-global', '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts', 'openclaw@2026.9.6',
    ]);
  });

  it('offline hosts install from a cache directory', () => {
    const spec = specOf();
    assert.deepEqual(npmInstallArgv(spec, spec.resolved[0]!, { npmCache: '/var/cache/npm' }).slice(-5), ['--ignore-scripts', '--offline', '--cache', '/var/cache/npm', 'openclaw@2026.9.6']);
  });

  it('no-op when the pinned version and its bin are there; a missing bin reinstalls', () => {
    const spec = specOf();
    const inst = spec.resolved[0]!;
    assert.ok('noop' in planInstall(spec, inst, {}, { prefix: '/p', installed: '2026.9.6', binPresent: true }));
    assert.ok('changes' in planInstall(spec, inst, {}, { prefix: '/p', installed: '2026.9.6', binPresent: false }));
  });

  it('a downgrade of a plain prefix is planned with a warning about forward-only state', () => {
    const spec = specOf({ openclaw: { version: '2026.2.9' } });
    const o = planInstall(spec, spec.resolved[0]!, {}, { prefix: '/p', installed: '2026.9.6', binPresent: true });
    assert.ok('changes' in o);
    assert.match(o.changes[0]?.diff ?? '', /downgrade from 2026\.9\.6/);
  });

  it('2026.2.9 installs as a project in <prefix>/lib with the overrides it needs (npm ignores overrides with -g)', () => {
    const spec = specOf({ openclaw: { version: '2026.2.9' } });
    const inst = spec.resolved[0]!;
    const o = planInstall(spec, inst, { npmCache: '/var/cache/npm' }, { prefix: inst.npmPrefix, installed: null, binPresent: false });
    assert.ok('changes' in o);
    const d = o.changes[0]!.data as InstallData;
    assert.deepEqual(d.argv, [
      'npm', 'install', '--prefix', '/home/openclaw-svc/.npm-global/lib', '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts', '--offline', '--cache', '/var/cache/npm',
    ]);
    assert.deepEqual(JSON.parse(d.project ?? 'null'), {
      name: 'clawops-openclaw', private: true, description: 'written by clawops: openclaw pinned with npm overrides',
      dependencies: { openclaw: '2026.2.9' }, overrides: { libsignal: '6.0.0', linkedom: '0.18.14' },
    });
    assert.match(o.changes[0]!.summary, /with npm overrides libsignal@6\.0\.0, linkedom@0\.18\.14/);
  });

  it('the spec\'s npmOverrides replace the known ones; {} means a plain -g install; 2026.9.6 needs none', () => {
    const plan = (openclaw: SpecInput['openclaw']) => {
      const spec = specOf({ openclaw });
      const o = planInstall(spec, spec.resolved[0]!, {}, { prefix: '/p', installed: null, binPresent: false });
      assert.ok('changes' in o);
      return o.changes[0]!.data as InstallData;
    };
    assert.deepEqual(JSON.parse(plan({ version: '2026.9.6', npmOverrides: { undici: '7.1.0' } }).project ?? 'null').overrides, { undici: '7.1.0' });
    assert.equal(plan({ version: '2026.2.9', npmOverrides: {} }).project, null);
    assert.equal(plan({ version: '2026.2.9', npmOverrides: {} }).argv?.[2], '--global');
    assert.equal(plan({ version: '2026.9.6' }).project, null);
    assert.throws(() => Spec.parse({ openclaw: { npmOverrides: { 'Bad Name': '1' } } }), /an npm package name/);
  });

  it('binOf: the openclaw bin of a package.json, kept inside the package', () => {
    assert.equal(binOf('{"bin":{"openclaw":"openclaw.mjs"}}'), 'openclaw.mjs');
    assert.equal(binOf('{"bin":"./dist/cli.js"}'), 'dist/cli.js');
    for (const bad of ['{"bin":{"other":"x.js"}}', '{"bin":"../../etc/passwd"}', '{"bin":"/bin/sh"}', '{}', 'not json']) assert.equal(binOf(bad), null, bad);
  });

  it('refuses versions below the minimum (exit code 2: a gate)', () => {
    const spec = specOf({ openclaw: { version: '2026.2.6-3', minimumVersion: '2026.2.9' } });
    assert.throws(
      () => planInstall(spec, spec.resolved[0]!, {}, { prefix: '/p', installed: null, binPresent: false }),
      (e: Error & { exitCode?: number }) => /below openclaw.minimumVersion/.test(e.message) && e.exitCode === 2,
    );
  });
});

/**
 * The side-by-side layout left by `clawops upgrade`: `~/.npm-global` -> `.npm-global.versions/<v>`.
 * Facts in (what the link points at, what is installed side by side), change out.
 */
describe('openclaw install plan, side-by-side layout (after `clawops upgrade`)', () => {
  const P = '/home/openclaw-svc/.npm-global';
  const V = `${P}.versions`;
  const active = (v: string, versions: string[], complete = true): InstallState => ({ prefix: P, installed: complete ? v : null, binPresent: complete, linked: v, versions });
  interface Row {
    name: string;
    pin: string;
    facts: InstallState;
    /** noop reason, or the expected change (summary pattern and data), or the refusal */
    noop?: RegExp;
    change?: { summary: RegExp; data: InstallData };
    refused?: RegExp;
  }
  const argvAt = (v: string) => ['npm', 'install', '--global', '--prefix', `${V}/${v}`, '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts', `openclaw@${v}`];
  const rows: Row[] = [
    { name: 'pin = active version: nothing to do', pin: '2026.9.6', facts: active('2026.9.6', ['2026.2.9', '2026.9.6']), noop: /2026\.9\.6 is active in .*\.npm-global\.versions\/2026\.9\.6/ },
    {
      name: 'pin older than the active version, installed side by side: refused (no switch down over migrated state)',
      pin: '2026.2.9', facts: active('2026.9.6', ['2026.2.9', '2026.9.6']),
      refused: /openclaw\.version: pins 2026\.2\.9, but .* runs 2026\.9\.6 .*Set openclaw\.version: 2026\.9\.6 .*clawops rollback 2026\.2\.9/,
    },
    {
      name: 'pin older than the active version, not installed: refused, never reinstalled through the link',
      pin: '2026.3.1', facts: active('2026.9.6', ['2026.9.6']), refused: /pins 2026\.3\.1, but .* runs 2026\.9\.6/,
    },
    {
      name: 'pin newer, installed side by side: a switch, no npm',
      pin: '2026.9.6', facts: active('2026.2.9', ['2026.2.9', '2026.9.6']),
      change: { summary: /^switch .*\.npm-global from 2026\.2\.9 to 2026\.9\.6 \(installed side by side\)/, data: { version: '2026.9.6', argv: null, prefix: `${V}/2026.9.6`, project: null, switchFrom: '2026.2.9' } },
    },
    {
      name: 'pin newer, not installed: install into its own version dir, then switch',
      pin: '2026.9.6', facts: active('2026.2.9', ['2026.2.9']),
      change: { summary: /^install openclaw 2026\.9\.6 side by side in .*versions\/2026\.9\.6, then switch/, data: { version: '2026.9.6', argv: argvAt('2026.9.6'), prefix: `${V}/2026.9.6`, project: null, switchFrom: '2026.2.9' } },
    },
    {
      name: 'pin = active version but its tree is incomplete: reinstall into the version dir, not through the link',
      pin: '2026.9.6', facts: active('2026.9.6', [], false),
      change: { summary: /^reinstall openclaw 2026\.9\.6 in .*versions\/2026\.9\.6/, data: { version: '2026.9.6', argv: argvAt('2026.9.6'), prefix: `${V}/2026.9.6`, project: null, switchFrom: null } },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const spec = specOf({ openclaw: { version: row.pin } });
      const plan = () => planInstall(spec, spec.resolved[0]!, {}, row.facts);
      if (row.refused) {
        assert.throws(plan, (e: Error) => e instanceof PlanProblemError && e.path === 'openclaw.version' && row.refused!.test(e.message));
        return;
      }
      const o = plan();
      if (row.noop) {
        assert.ok('noop' in o, JSON.stringify(o));
        assert.match(o.noop, row.noop);
        return;
      }
      assert.ok('changes' in o, JSON.stringify(o));
      assert.equal(o.changes.length, 1);
      assert.match(o.changes[0]!.summary, row.change!.summary);
      assert.deepEqual(o.changes[0]!.data, row.change!.data);
    });
  }

  it('a newer pin switched by apply says that `clawops upgrade` would back up and gate', () => {
    const spec = specOf({ openclaw: { version: '2026.9.6' } });
    const o = planInstall(spec, spec.resolved[0]!, {}, active('2026.2.9', ['2026.2.9', '2026.9.6']));
    assert.ok('changes' in o);
    assert.match(o.changes[0]!.diff ?? '', /clawops upgrade 2026\.9\.6/);
  });
});

describe('parseLayout (readlink + side-by-side listing)', () => {
  const inst = specOf().resolved[0]!;
  const cases: Array<[string, string, { linked: string | null; versions: string[] }]> = [
    ['a plain directory prefix (readlink prints nothing)', '/\n', { linked: null, versions: [] }],
    ['a link made by clawops upgrade', '.npm-global.versions/2026.9.6\n/\n2026.9.6\n2026.2.9\n', { linked: '2026.9.6', versions: ['2026.2.9', '2026.9.6'] }],
    ['a link somewhere else is not ours', '/opt/openclaw\n/\n', { linked: null, versions: [] }],
    ['stray entries in the versions dir are ignored', '.npm-global.versions/2026.2.9\n/\n2026.2.9\nold-backup\n2026.10.1\n', { linked: '2026.2.9', versions: ['2026.2.9', '2026.10.1'] }],
  ];
  for (const [name, out, want] of cases) it(name, () => assert.deepEqual(parseLayout(versionsRoot(inst), out), want));
});
