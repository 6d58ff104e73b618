import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec, type SpecInput } from '../../../src/spec/schema.ts';
import { resolveSpec } from '../../../src/spec/resolve.ts';
import { npmInstallArgv, openclawInstallResource } from '../../../src/openclaw/install.ts';

const specOf = (input: SpecInput = {}) => resolveSpec(Spec.parse(input));

describe('openclaw install plan', () => {
  it('installs the pinned version as the service user into its npm prefix', () => {
    const spec = specOf();
    const inst = spec.resolved[0]!;
    const o = openclawInstallResource(spec, inst).plan({ prefix: inst.npmPrefix, installed: null, binPresent: false });
    assert.ok('changes' in o);
    assert.equal(o.changes[0]?.action, 'add');
    assert.deepEqual((o.changes[0]?.data as { argv: string[] }).argv, [
      'npm', 'install', '--global', '--prefix', '/home/openclaw-svc/.npm-global', '--no-audit', '--no-fund', '--no-update-notifier', 'openclaw@2026.9.6',
    ]);
  });

  it('offline hosts install from a cache directory', () => {
    const spec = specOf();
    assert.deepEqual(npmInstallArgv(spec, spec.resolved[0]!, { npmCache: '/var/cache/npm' }).slice(-5), ['--offline', '--cache', '/var/cache/npm', '--ignore-scripts', 'openclaw@2026.9.6']);
  });

  it('no-op when the pinned version and its bin are there; a missing bin reinstalls', () => {
    const spec = specOf();
    const r = openclawInstallResource(spec, spec.resolved[0]!);
    assert.ok('noop' in r.plan({ prefix: '/p', installed: '2026.9.6', binPresent: true }));
    assert.ok('changes' in r.plan({ prefix: '/p', installed: '2026.9.6', binPresent: false }));
  });

  it('a downgrade is planned with a warning about forward-only state', () => {
    const spec = specOf({ openclaw: { version: '2026.2.9' } });
    const o = openclawInstallResource(spec, spec.resolved[0]!).plan({ prefix: '/p', installed: '2026.9.6', binPresent: true });
    assert.ok('changes' in o);
    assert.match(o.changes[0]?.diff ?? '', /downgrade from 2026\.9\.6/);
  });

  it('refuses versions below the minimum (exit code 2: a gate)', () => {
    const spec = specOf({ openclaw: { version: '2026.2.6-3', minimumVersion: '2026.2.9' } });
    assert.throws(
      () => openclawInstallResource(spec, spec.resolved[0]!).plan({ prefix: '/p', installed: null, binPresent: false }),
      (e: Error & { exitCode?: number }) => /below openclaw.minimumVersion/.test(e.message) && e.exitCode === 2,
    );
  });
});
