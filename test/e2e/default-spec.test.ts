/**
 * `clawops plan` with no spec file plans the embedded defaults on a fresh testbed: exit 2 (with
 * --detailed-exitcode) and a plan a person can read, resource by resource, with no plan-time
 * problem. The defaults install OpenClaw from the npm registry, which the testbed (a private
 * network) cannot reach, so applying them as is is out of this test's reach; see the report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops } from './apply-cli.ts';

describe('the embedded default spec plans on a fresh testbed', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed({ openclaw: '2026.9.6' });
    await addTailscaleStandIn(tb.executor);
  });
  after(async () => {
    await tb?.stop();
  });

  test('plan with no -f: exit 2, a readable plan of every area', { timeout: 300_000 }, async () => {
    assert.equal(process.env.CLAWOPS_SPEC, undefined, 'no spec from the environment either');
    const env = {};
    const r = await clawops(['plan', '--detailed-exitcode', '--target', `nspawn:${tb.name}`], env, 300_000);
    console.log(`# default-spec plan: ${(r.ms / 1000).toFixed(1)} s, exit ${r.code}`);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\(embedded defaults\)/);
    // every area has something to do on a fresh host, each change on its own line
    for (const want of [/user:openclaw-svc/, /openclaw/, /ufw/, /fail2ban/, /clawops:self/]) assert.match(r.stdout, want);
    assert.ok(r.stdout.split('\n').filter((l) => /^\s+[-+~] /.test(l)).length >= 10, r.stdout);
    // exit 2 is a plan (plan-time problems exit 1); the unit's StandardError= is no error
    assert.doesNotMatch(r.stderr, /problem/i);
    const json = await clawops(['plan', '--json', '--target', `nspawn:${tb.name}`], env, 300_000);
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as { specSource: string; resources: { changes: unknown[] }[] };
    assert.equal(plan.specSource, '(embedded defaults)');
    assert.ok(plan.resources.some((x) => x.changes.length > 0));
  });

  test('the go-live gate on the fresh host: exit 2, naming what is missing and that apply fixes it', { timeout: 300_000 }, async () => {
    const r = await clawops(['check', '--json', '--target', `nspawn:${tb.name}`], {}, 300_000);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as { results: { id: string; status: string; remediation: string }[] };
    const failed = new Set(report.results.filter((x) => x.status === 'fail').map((x) => x.id));
    for (const id of ['user.service-account', 'service.active', 'firewall.ufw.active', 'identity.locked', 'openclaw.config.present']) assert.ok(failed.has(id), `${id} should fail on a fresh host`);
    assert.ok(report.results.filter((x) => x.status === 'pass').length < 10);
    assert.match(report.results.find((x) => x.id === 'user.service-account')!.remediation, /clawops apply/);
  });
});
