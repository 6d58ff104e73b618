/**
 * The pinned install for real, offline from the testbed's npm cache, as the service user into
 * its npm prefix; re-plan empty; a version below the minimum is refused before anything runs.
 */
import { planNow } from '../../src/engine/plan.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import type { Journal } from '../../src/engine/types.ts';
import { Spec } from '../../src/desired/schema.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';
import { openclawInstallResource, planInstall } from '../../src/openclaw/install.ts';
import { servicePath } from '../../src/openclaw/paths.ts';

const NPM_CACHE = '/var/cache/clawops-npm';
const journal: Journal = { saveFile: async () => {}, saveStep: async () => {} };

describe('openclaw install (offline, npm prefix of the service user)', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed();
  });
  after(() => tb?.stop());

  it('installs 2026.9.6 from the cache, then re-plans to a no-op', async (t) => {
    const ex = tb.executor;
    const spec = resolveSpec(Spec.parse({ openclaw: { version: '2026.9.6' } }));
    const inst = spec.resolved[0]!;
    await ex.run(['useradd', '--system', '--create-home', '--home-dir', inst.home, '--shell', '/usr/sbin/nologin', inst.user]);
    const r = openclawInstallResource(spec, inst, { npmCache: NPM_CACHE });
    const first = await planNow(r, ex);
    assert.ok('changes' in first);
    assert.deepEqual((first.changes[0]!.data as { argv: string[] }).argv.slice(-5), ['--ignore-scripts', '--offline', '--cache', NPM_CACHE, 'openclaw@2026.9.6']);
    const t0 = Date.now();
    await r.apply(ex, first.changes[0]!, journal);
    t.diagnostic(`npm install --offline from the shared cache, handed to ${inst.user}: ${Date.now() - t0} ms`);
    const again = await planNow(r, ex);
    assert.ok('noop' in again, JSON.stringify(again));
    const v = await ex.run([inst.bin, '--version'], { user: inst.user, env: { HOME: inst.home, PATH: servicePath(inst) }, timeoutMs: 120_000 });
    assert.match(v.stdout, /2026\.9\.6/);
    const st = await ex.stat(`${inst.npmPrefix}/lib/node_modules/openclaw/package.json`);
    assert.equal(st?.owner, inst.user);
  });

  it('refuses a version below openclaw.minimumVersion at plan time', async () => {
    const spec = resolveSpec(Spec.parse({ openclaw: { version: '2026.1.30', minimumVersion: '2026.2.9' } }));
    const r = openclawInstallResource(spec, spec.resolved[0]!, { npmCache: NPM_CACHE });
    assert.throws(() => planInstall(spec, spec.resolved[0]!, { npmCache: NPM_CACHE }, { prefix: '/x', installed: null, binPresent: false }), /below openclaw.minimumVersion 2026.2.9/);
  });
});
