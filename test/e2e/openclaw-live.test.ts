/**
 * The live gateway after apply, on one 2026.9.6 testbed (the engine applying the OpenClaw
 * resources of the spec, the install replaced by the testbed's prebuilt openclaw):
 *   - the service user's CLI device is paired as operator.read only; `security audit --deep` 0/0;
 *   - `doctor --lint` has no finding apply could fix (the expected ones are suppressed with reasons);
 *   - the file log persists across a restart in /var/log/openclaw, not world-readable;
 *   - a config OpenClaw rejects (exit 78) shows the key in service.active's evidence;
 *   - an apply that changes the config returns only once the gateway is healthy again (downtime
 *     measured), and one that changes the token returns only once the old token is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { Spec } from '../../src/desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../../src/desired/resolve.ts';
import { currentToken, probeToken } from '../../src/openclaw/token.ts';
import { probeHealth } from '../../src/openclaw/probe.ts';
import { runChecks } from '../../src/checks/run.ts';
import { unitNow, waitSettled } from '../../src/openclaw/settle.ts';
import { applySubset, prepareServiceUser } from './openclaw-subset.ts';

const VERSION = '2026.9.6';

describe(`openclaw ${VERSION}: the live gateway after apply`, { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let spec: ResolvedSpec;
  const inst = () => spec.resolved[0]!;
  const check = async (ids: string[]) => {
    const { results } = await runChecks(tb.executor, { spec, profile: 'go-live', now: new Date(), only: ids });
    return new Map(results.map((r) => [r.id, r]));
  };
  before(async () => {
    tb = await startTestbed({ openclaw: VERSION });
    spec = resolveSpec(Spec.parse({ openclaw: { version: VERSION }, docker: { enabled: false } }));
    await prepareServiceUser(tb.executor, spec);
  });
  after(() => tb?.stop());

  it('apply: healthy gateway, token as a SecretRef, CLI device paired as operator.read only; audit --deep 0/0; doctor --lint clean', { timeout: 1_200_000 }, async (t) => {
    const ex = tb.executor;
    const lines: string[] = [];
    const r = await applySubset(ex, spec, (l) => lines.push(l));
    t.diagnostic(`first apply ${(r.durationMs / 1000).toFixed(1)} s:\n${lines.join('\n')}`);
    assert.ok(r.steps.some((s) => s.resourceId === 'openclaw-pairing:openclaw'), 'the pairing step ran');
    assert.ok(r.steps.some((s) => s.resourceId === 'settle:gateway:openclaw'), 'the gateway settle ran once');
    assert.equal(r.steps.filter((s) => s.resourceId.startsWith('settle:')).length, 1, 'one settle per instance');
    const cfg = JSON.parse((await ex.readFile(`${inst().stateDir}/openclaw.json`))!.toString('utf8')) as { gateway: { auth: { token: unknown } } };
    assert.deepEqual(cfg.gateway.auth.token, { source: 'env', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' });
    const again = await applySubset(ex, spec, () => {});
    assert.deepEqual(again.plan.resources.filter((x) => x.changes.length > 0).map((x) => x.id), [], 're-plan is empty');

    // the audit's 5 s deep probe can time out on a loaded 2-core host: a timeout is retried (bounded), a scope error never is
    let res = await check(['audit.openclaw', 'audit.probe-device', 'openclaw.doctor-lint', 'files.log-dir']);
    for (let i = 0; i < 3 && /gateway\.probe_failed.*\(timeout\)/.test(res.get('audit.openclaw')?.evidence ?? ''); i++) {
      t.diagnostic(`audit --deep retried: ${res.get('audit.openclaw')?.evidence}`);
      res = await check(['audit.openclaw']).then((m) => new Map([...res, ...m]));
    }
    for (const [id, x] of res) t.diagnostic(`${x.status} ${id}: ${x.evidence}`);
    assert.doesNotMatch(res.get('audit.openclaw')?.evidence ?? '', /missing scope/, 'the paired device gives the probe its scope');
    for (const id of ['audit.openclaw', 'audit.probe-device', 'openclaw.doctor-lint', 'files.log-dir']) assert.equal(res.get(id)?.status, 'pass', `${id}: ${res.get(id)?.evidence}`);
    assert.match(res.get('audit.openclaw')!.evidence, /^0 critical, 0 warn/);
    assert.match(res.get('audit.probe-device')!.evidence, /operator\.read only \(approved via silent\)/);
    assert.match(res.get('openclaw.doctor-lint')!.evidence, /suppressed: core\/doctor\/node-hosting-preconditions \(.+\); core\/doctor\/skill-workshop-tool-policy/);
    assert.doesNotMatch(res.get('openclaw.doctor-lint')!.evidence, /plaintext/);
  });

  it('the file log persists across a restart in /var/log/openclaw, not readable by others', { timeout: 600_000 }, async (t) => {
    const ex = tb.executor;
    const log = `/var/log/openclaw/${inst().name}/gateway.log`;
    const dir = await ex.stat(`/var/log/openclaw/${inst().name}`);
    const file = await ex.stat(log);
    assert.equal(`${dir?.mode.toString(8)} ${dir?.owner}`, `750 ${inst().user}`);
    assert.ok(file && (file.mode & 0o007) === 0, `${log} is not world-readable (${file?.mode.toString(8)})`);
    const before = (await ex.readFile(log))!.toString('utf8');
    const first = before.split('\n')[0] ?? '';
    assert.ok(first.length > 0, 'the gateway wrote its file log');
    const pid0 = (await unitNow(ex, inst().unit)).mainPid;
    await ex.run(['systemctl', 'restart', inst().unit], { timeoutMs: 360_000 });
    const s = await waitSettled(ex, inst(), VERSION);
    t.diagnostic(`restart: healthy again after ${(s.ms / 1000).toFixed(1)} s`);
    assert.notEqual((await unitNow(ex, inst().unit)).mainPid, pid0);
    const afterText = (await ex.readFile(log))!.toString('utf8');
    assert.ok(afterText.startsWith(first), 'the lines from before the restart are still there');
    assert.ok(afterText.length > before.length, 'the new process appends to the same file');
    const j = await ex.run(['journalctl', '--no-pager', '-o', 'cat', '-u', inst().unit]);
    assert.doesNotMatch(j.stdout, /log file append failed/);
  });

  it('a config change: apply returns only once the gateway is healthy again (downtime measured)', { timeout: 900_000 }, async (t) => {
    const ex = tb.executor;
    spec = resolveSpec(Spec.parse({ openclaw: { version: VERSION }, docker: { enabled: false }, tools: { deny: ['gateway', 'nodes', 'cron'] } }));
    const pid0 = (await unitNow(ex, inst().unit)).mainPid;
    const lines: string[] = [];
    const r = await applySubset(ex, spec, (l) => lines.push(l));
    const settle = r.steps.find((s) => s.resourceId === 'settle:gateway:openclaw');
    t.diagnostic(`config-changing apply ${(r.durationMs / 1000).toFixed(1)} s; settle ${((settle?.durationMs ?? 0) / 1000).toFixed(1)} s: ${settle?.summary}`);
    t.diagnostic(lines.join('\n'));
    assert.ok(settle, 'the settle step ran');
    // from the moment apply returns, the gateway answers health from one process, every second for 15 s
    const pid1 = (await unitNow(ex, inst().unit)).mainPid;
    for (let i = 0; i < 15; i++) {
      const h = await probeHealth(ex, inst(), VERSION);
      assert.ok(h.ok, `${i} s after apply returned: ${h.detail}`);
      assert.equal((await unitNow(ex, inst().unit)).mainPid, pid1, `${i} s after apply returned: the gateway restarted`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    t.diagnostic(`gateway pid ${pid0} -> ${pid1} (${pid0 === pid1 ? 'hot-applied' : 'restarted by its file watch'})`);
  });

  it('a token change: apply returns only once the running gateway refuses the old token', { timeout: 900_000 }, async (t) => {
    const ex = tb.executor;
    const old = await currentToken(ex, inst(), VERSION);
    assert.ok(old);
    assert.equal(await probeToken(ex, inst(), old), 'accepted');
    await ex.run(['rm', '-f', '--', inst().envFile]); // the token file lost: apply generates a new token
    const lines: string[] = [];
    const r = await applySubset(ex, spec, (l) => lines.push(l));
    t.diagnostic(`token-changing apply ${(r.durationMs / 1000).toFixed(1)} s:\n${lines.join('\n')}`);
    assert.equal(await probeToken(ex, inst(), old), 'refused', 'the old token is refused when apply returns');
    const next = await currentToken(ex, inst(), VERSION);
    assert.ok(next && next !== old);
    assert.equal(await probeToken(ex, inst(), next), 'accepted');
    assert.ok(lines.some((l) => /restarting openclaw\.service|new token accepted/.test(l)) || r.steps.some((s) => /new token accepted/.test(s.summary)), lines.join('\n'));
  });

  it('a config OpenClaw rejects: service.active names the exit status and the key; fixed, apply starts it and returns healthy', { timeout: 900_000 }, async (t) => {
    const ex = tb.executor;
    const path = `${inst().stateDir}/openclaw.json`;
    const good = (await ex.readFile(path))!.toString('utf8');
    const cfg = JSON.parse(good) as { gateway: Record<string, unknown> };
    cfg.gateway.clawopsBogusKey = true; // the config is strict: an unknown key stops the gateway
    await ex.writeFile(path, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600, owner: inst().user, group: inst().user });
    await ex.run(['systemctl', 'restart', inst().unit], { allowFailure: true, timeoutMs: 360_000 });
    const t0 = Date.now();
    let u = await unitNow(ex, inst().unit);
    while (Date.now() - t0 < 240_000 && !(u.active !== 'active' && u.status !== '' && u.status !== '0')) {
      await new Promise((res) => setTimeout(res, 1000));
      u = await unitNow(ex, inst().unit);
    }
    const v = (await check(['service.active'])).get('service.active')!;
    t.diagnostic(`${v.status}: ${v.evidence}\nremediation: ${v.remediation}`);
    assert.equal(v.status, 'fail');
    assert.match(v.evidence, new RegExp(`exit status ${u.status}`));
    assert.match(v.evidence, /clawopsBogusKey/, 'the key OpenClaw names');
    assert.match(v.evidence, /last journal lines:/);
    // the operator removes the key; apply starts the stopped gateway and returns only once it is healthy
    await ex.writeFile(path, good, { mode: 0o600, owner: inst().user, group: inst().user });
    await ex.run(['systemctl', 'reset-failed', inst().unit], { allowFailure: true });
    const lines: string[] = [];
    const r = await applySubset(ex, spec, (l) => lines.push(l));
    t.diagnostic(`apply after the fix ${(r.durationMs / 1000).toFixed(1)} s:\n${lines.join('\n')}`);
    assert.ok((await probeHealth(ex, inst(), VERSION)).ok, 'healthy when apply returns');
  });
});
