/**
 * Upgrade and rollback on the systemd testbed through the in-process API (runUpgrade/runRollback),
 * starting from OpenClaw 2026.2.9 (fixture: upgrade-env.ts). The CLI-level test of the same
 * commands is upgrade-cli.test.ts.
 *
 * The failing upgrade is honest about what fails: the real 2026.9.6 is installed, then its
 * `dist/` (the compiled code its bin imports) is moved away, as a truncated or partial install
 * would leave it, so the 9.6 gateway exits at start and never becomes healthy. The upgrade must
 * then roll back by itself: 2026.2.9 runs again, healthy, on its pre-upgrade state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupContext } from '../../src/backup/context.ts';
import type { ResolvedInstance } from '../../src/spec/resolve.ts';
import { readKnownGood } from '../../src/upgrade/known-good.ts';
import { versionDir } from '../../src/upgrade/layout.ts';
import { runRollback, runUpgrade } from '../../src/upgrade/run.ts';
import { testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { NPM_CACHE, PORT, startUpgradeEnv, type UpgradeEnv } from './upgrade-env.ts';

describe('clawops upgrade / rollback on the testbed (2026.2.9 -> 2026.9.6)', { skip: testbedSkipReason() }, () => {
  let env: UpgradeEnv;
  let tb: Testbed;
  let ctx: BackupContext;
  let inst: ResolvedInstance;
  const sh = (script: string, timeoutMs = 120_000) => env.sh(script, timeoutMs);
  const version = () => env.version();

  before(async () => {
    env = await startUpgradeEnv();
    ({ tb, ctx, inst } = env);
  });
  after(() => env?.stop());

  test('a 9.6 whose gateway cannot start is rolled back automatically to 2.9 on its pre-upgrade state', async (t) => {
    assert.equal(await version(), '2026.2.9');
    const r = await runUpgrade(ctx, '2026.9.6', {
      npmCache: NPM_CACHE, checks: ['service.active'], healthTimeoutSec: 90,
      afterInstall: async (dir) => {
        await sh(`mv ${dir}/lib/node_modules/openclaw/dist ${dir}/lib/node_modules/openclaw/dist.moved-by-test`);
      },
    });
    t.diagnostic(`steps: ${r.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}`);
    t.diagnostic(`rollback took ${r.rollback?.durationMs} ms: ${r.rollback?.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(r.failedStep, 'gate', r.error);
    assert.equal(r.outcome, 'rolled-back', r.rollback?.error);
    assert.equal(r.exitCode, 2);
    assert.equal(await version(), '2026.2.9');
    assert.equal((await sh(`cat ${inst.stateDir}/workspace/MARKER.md; systemctl is-active ${inst.unit}`)).stdout, 'written on 2026.2.9\nactive\n');
    assert.equal(await readKnownGood(tb.executor, ctx.spec, inst), undefined, 'a failed upgrade records nothing as known-good');
  });

  test('upgrade 2.9 -> 9.6 succeeds, then rollback on demand returns to 2.9 and its state', async (t) => {
    // the test's damage undone: the side-by-side 9.6 is complete again (and reused, not reinstalled)
    const dir = versionDir(inst, '2026.9.6');
    await sh(`mv ${dir}/lib/node_modules/openclaw/dist.moved-by-test ${dir}/lib/node_modules/openclaw/dist`);
    await sh(`echo 'written on 2.9 before the upgrade' > ${inst.stateDir}/workspace/BEFORE.md && chown oc:oc ${inst.stateDir}/workspace/BEFORE.md`);
    const r = await runUpgrade(ctx, '2026.9.6', { npmCache: NPM_CACHE, checks: ['service.active'], healthTimeoutSec: 180 });
    t.diagnostic(`upgrade ${r.durationMs} ms: ${r.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(r.outcome, 'upgraded', r.error);
    assert.equal(r.exitCode, 0);
    assert.match(await version(), /^OpenClaw 2026\.9\.6/);
    const health = await sh(`node -e "fetch('http://127.0.0.1:${PORT}/healthz').then(async r => console.log(r.status, await r.text()))"`);
    assert.match(health.stdout, /^200 .*"ok":true/);
    assert.equal((await readKnownGood(tb.executor, ctx.spec, inst))?.version, '2026.9.6');

    await sh(`echo 'written on 9.6' > ${inst.stateDir}/workspace/AFTER.md`);
    const rb = await runRollback(ctx, '2026.2.9', { healthTimeoutSec: 180 });
    t.diagnostic(`rollback on demand ${rb.durationMs} ms: ${rb.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(rb.outcome, 'rolled-back', rb.error);
    assert.equal(await version(), '2026.2.9');
    const files = await sh(`ls ${inst.stateDir}/workspace; systemctl is-active ${inst.unit}`);
    assert.match(files.stdout, /BEFORE\.md/);
    assert.doesNotMatch(files.stdout, /AFTER\.md/, 'the state is the pre-upgrade one');
    assert.match(files.stdout, /active\n$/);
  });
});
