/**
 * `clawops upgrade` and `clawops rollback` through the CLI (the real `src/cli.ts` process, with
 * `--target nspawn:<testbed>` and `--json`), from a 2026.2.9 deployment (fixture: upgrade-env.ts):
 *
 * 1. a 9.6 whose gateway cannot start (installed side by side, then its dist/ moved away, so the
 *    upgrade reuses it): exit 2, rolled back automatically, 2.9 healthy on its pre-upgrade state;
 *    the time the automatic rollback took is printed;
 * 2. the 9.6 repaired: exit 0, the gateway answers /healthz on 9.6;
 * 3. the versioned-install hazard: with the spec still pinning 2.9, `plan` and `apply --yes` fail
 *    at plan time naming the fix and change nothing; pinned at 9.6 the install has nothing to do;
 * 4. errors are exit 1 with a report: upgrading to the running version, a rollback with no
 *    pre-upgrade snapshot of its target; then `rollback 2026.2.9`: exit 0, 2.9 healthy again.
 */
import { planNow } from '../../src/engine/plan.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readKnownGood } from '../../src/upgrade/known-good.ts';
import { openclawInstallResource } from '../../src/openclaw/install.ts';
import type { UpgradeReport } from '../../src/upgrade/steps.ts';
import { versionDir } from '../../src/upgrade/layout.ts';
import { testbedSkipReason } from '../helpers/testbed.ts';
import { type CliRun, addTailscaleStandIn, clawops } from './apply-cli.ts';
import { NPM_CACHE, startUpgradeEnv, type UpgradeEnv } from './upgrade-env.ts';

const report = (r: CliRun): UpgradeReport => {
  try {
    return JSON.parse(r.stdout) as UpgradeReport;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)}\nstderr: ${r.stderr.slice(-2000)}`);
  }
};

/** The --json contract of upgrade/rollback: schemaVersion 1 and every field typed. */
function assertShape(r: UpgradeReport, kind: 'upgrade' | 'rollback'): void {
  assert.equal(r.schemaVersion, 1);
  assert.equal(r.kind, kind);
  assert.equal(r.instance, 'oc');
  assert.ok(['upgraded', 'rolled-back', 'failed'].includes(r.outcome), r.outcome);
  assert.ok([0, 1, 2].includes(r.exitCode));
  assert.equal(typeof r.durationMs, 'number');
  for (const s of [...r.steps, ...(r.rollback?.steps ?? [])]) {
    assert.equal(typeof s.name, 'string');
    assert.ok(['ok', 'failed', 'skipped'].includes(s.status));
    assert.ok(Number.isInteger(s.durationMs) && s.durationMs >= 0);
    assert.equal(typeof s.detail, 'string');
  }
}

describe('clawops upgrade / rollback through the CLI (2026.2.9 -> 2026.9.6)', { skip: testbedSkipReason() }, () => {
  let env: UpgradeEnv;
  const cli = (version: string, ...args: string[]) => clawops(['-f', env.specFile(version), '--target', `nspawn:${env.tb.name}`, ...args], {}, 900_000);

  before(async () => {
    env = await startUpgradeEnv();
  });
  after(() => env?.stop());

  test('a 9.6 whose gateway cannot start: exit 2, rolled back automatically to 2.9 on its pre-upgrade state', async (t) => {
    assert.equal(await env.version(), '2026.2.9');
    // 9.6 installed side by side for real, then broken: the upgrade reuses it and its gateway exits at start
    const at = { ...env.inst, npmPrefix: versionDir(env.inst, '2026.9.6'), bin: `${versionDir(env.inst, '2026.9.6')}/bin/openclaw` };
    const spec96 = { ...env.spec, openclaw: { ...env.spec.openclaw, version: '2026.9.6' } };
    const res = openclawInstallResource(spec96, at, { npmCache: NPM_CACHE });
    const p = await planNow(res, env.tb.executor);
    assert.ok('changes' in p);
    await res.apply(env.tb.executor, p.changes[0]!, { saveFile: async () => {}, saveStep: async () => {} });
    await env.sh(`mv ${at.npmPrefix}/lib/node_modules/openclaw/dist ${at.npmPrefix}/lib/node_modules/openclaw/dist.moved-by-test`);

    const run = await cli('2026.2.9', '--json', 'upgrade', '2026.9.6', '--yes', '--npm-cache', NPM_CACHE, '--checks', 'service.active', '--health-timeout', '180');
    const r = report(run);
    assertShape(r, 'upgrade');
    const rb = r.rollback;
    t.diagnostic(`upgrade steps: ${r.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}`);
    t.diagnostic(`AUTOMATIC ROLLBACK took ${((rb?.durationMs ?? 0) / 1000).toFixed(1)} s: ${rb?.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}; CLI wall ${run.ms} ms`);
    assert.equal(run.code, 2, run.stderr.slice(-2000));
    assert.equal(r.exitCode, 2);
    assert.equal(r.outcome, 'rolled-back', rb?.error);
    assert.equal(r.failedStep, 'gate');
    // the gate stops waiting once the crash loop latched, not at --health-timeout
    assert.match(r.steps.find((s) => s.name === 'gate')?.detail ?? '', /failed \(.*\) and systemd will not start it again/);
    assert.equal(r.action, 'rollback');
    assert.equal(r.from, '2026.2.9');
    assert.match(r.snapshotId ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(rb?.steps.map((s) => `${s.name} ${s.status}`), ['stop ok', 'switch ok', 'unit ok', 'restore ok', 'verify ok']);
    assert.match(r.steps.find((s) => s.name === 'install')?.detail ?? '', /already installed side by side/);
    assert.equal(await env.version(), '2026.2.9');
    assert.match(await env.healthz(), /^200 /, 'the 2.9 gateway answers on its port');
    assert.equal((await env.sh(`cat ${env.inst.stateDir}/workspace/MARKER.md; systemctl is-active ${env.inst.unit}`)).stdout, 'written on 2026.2.9\nactive\n');    assert.equal(await readKnownGood(env.tb.executor, env.spec, env.inst), undefined, 'a failed upgrade records nothing as known-good');
  });

  test('the 9.6 repaired: exit 0, the gateway answers health on 9.6', async (t) => {
    const dir = versionDir(env.inst, '2026.9.6');
    await env.sh(`mv ${dir}/lib/node_modules/openclaw/dist.moved-by-test ${dir}/lib/node_modules/openclaw/dist`);
    await env.sh(`echo 'written on 2.9 before the upgrade' > ${env.inst.stateDir}/workspace/BEFORE.md && chown oc:oc ${env.inst.stateDir}/workspace/BEFORE.md`);
    const run = await cli('2026.2.9', '--json', 'upgrade', '2026.9.6', '--yes', '--npm-cache', NPM_CACHE, '--checks', 'service.active');
    const r = report(run);
    assertShape(r, 'upgrade');
    t.diagnostic(`upgrade ${r.durationMs} ms: ${r.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(run.code, 0, r.error ?? run.stderr.slice(-2000));
    assert.deepEqual([r.outcome, r.exitCode, r.from, r.to, r.rollback], ['upgraded', 0, '2026.2.9', '2026.9.6', undefined]);
    assert.deepEqual(r.steps.map((s) => s.status), r.steps.map(() => 'ok'));
    assert.match(await env.version(), /^OpenClaw 2026\.9\.6/);
    assert.match(await env.healthz(), /^200 .*"ok":true/);
    assert.equal((await readKnownGood(env.tb.executor, env.spec, env.inst))?.version, '2026.9.6', 'the gate passed: 9.6 is known-good');
  });

  test('the old pin after the upgrade: plan and apply refuse at plan time and change nothing; the new pin has nothing to install', async () => {
    await addTailscaleStandIn(env.tb.executor); // the spec's default management interface, so the plan has only our problem
    const before = await env.layout();
    for (const args of [['plan'], ['apply', '--yes']]) {
      const run = await cli('2026.2.9', ...args);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /openclaw\.version: pins 2026\.2\.9, but \/home\/oc\/\.npm-global runs 2026\.9\.6/);
      assert.match(run.stderr, /Set openclaw\.version: 2026\.9\.6 in the spec, or go back with `clawops rollback 2026\.2\.9`/);
      assert.doesNotMatch(run.stdout, /Apply complete/);
    }
    assert.equal(await env.layout(), before, 'nothing changed on the target');
    assert.match(await env.version(), /^OpenClaw 2026\.9\.6/);

    const run = await cli('2026.9.6', '--json', 'plan');
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const plan = JSON.parse(run.stdout) as { resources: Array<{ id: string; changes: unknown[]; noop?: string }> };
    const install = plan.resources.find((x) => x.id === 'openclaw-install:oc');
    assert.deepEqual(install?.changes, []);
    assert.match(install?.noop ?? '', /openclaw 2026\.9\.6 is active in \/home\/oc\/\.npm-global\.versions\/2026\.9\.6/);
  });

  test('errors are exit 1 with a report; rollback 2026.2.9 goes back to 2.9 and its pre-upgrade state', async (t) => {
    const again = await cli('2026.9.6', '--json', 'upgrade', '2026.9.6', '--yes', '--npm-cache', NPM_CACHE);
    const ra = report(again);
    assertShape(ra, 'upgrade');
    assert.equal(again.code, 1);
    assert.deepEqual([ra.outcome, ra.failedStep, ra.action], ['failed', 'preflight', 'abort']);
    assert.match(ra.error ?? '', /already the running version/);

    // the known-good version is 9.6 (recorded by the upgrade): no pre-upgrade snapshot was taken while it ran
    const none = await cli('2026.9.6', 'rollback', '--yes');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no pre-upgrade snapshot of oc taken while 2026\.9\.6 ran/);
    assert.match(none.stderr, /next: /);

    await env.sh(`echo 'written on 9.6' > ${env.inst.stateDir}/workspace/AFTER.md`);
    const run = await cli('2026.9.6', '--json', 'rollback', '2026.2.9', '--yes');
    const r = report(run);
    assertShape(r, 'rollback');
    t.diagnostic(`rollback on demand ${r.durationMs} ms: ${r.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(run.code, 0, r.error ?? run.stderr.slice(-2000));
    assert.deepEqual([r.outcome, r.from, r.to], ['rolled-back', '2026.9.6', '2026.2.9']);
    assert.equal(await env.version(), '2026.2.9');
    assert.match(await env.healthz(), /^200 /);
    const files = await env.sh(`ls ${env.inst.stateDir}/workspace; systemctl is-active ${env.inst.unit}`);
    assert.match(files.stdout, /BEFORE\.md/);
    assert.doesNotMatch(files.stdout, /AFTER\.md/, 'the state is the pre-upgrade one');
    assert.match(files.stdout, /active\n$/);
  });
});
