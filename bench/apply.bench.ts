/**
 * Plan/apply on the testbed: the full `clawops apply --yes` of the example spec on a fresh testbed,
 * then a no-op re-plan on the converged host (target: under 3 s), printed side by side, plus the
 * no-op plan's in-process time (without CLI start-up). CLAWOPS_BENCH_TESTBED=NAME reuses a
 * converged testbed (the apply is then skipped).
 * Then, on a 2026.9.6 testbed: the gateway's downtime after a config-changing apply, which apply now
 * waits out (settle) instead of returning while the gateway restarts (CLAWOPS_BENCH_NO_GATEWAY=1 skips it).
 */
import { buildPlan } from '../src/engine/plan.ts';
import { nspawnExecutor } from '../src/exec/nspawn.ts';
import { loadSpec } from '../src/desired/load.ts';
import { addTailscaleStandIn, EXAMPLE } from '../test/e2e/apply-cli.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../test/helpers/testbed.ts';
import { measure, report, shippedCli } from './lib.ts';
import { Spec } from '../src/desired/schema.ts';
import { resolveSpec } from '../src/desired/resolve.ts';
import { applySubset, prepareServiceUser } from '../test/e2e/openclaw-subset.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<number> {
  const reuse = process.env.CLAWOPS_BENCH_TESTBED;
  const skip = reuse ? undefined : testbedSkipReason();
  if (skip) {
    console.log(`SKIP apply bench: ${skip}`);
    return 0;
  }
  let tb: Testbed | undefined;
  const cacheDir = mkdtempSync(join(tmpdir(), 'clawops-apply-bench-'));
  const cli = shippedCli(cacheDir);
  try {
    let name = reuse;
    let applyMs: number | undefined;
    if (!name) {
      tb = await startTestbed();
      name = tb.name;
      await addTailscaleStandIn(tb.executor);
      const a = measure([...cli.argv, 'apply', '--yes', '--target', `nspawn:${name}`, '-f', EXAMPLE], { env: cli.env });
      if (a.exitCode !== 0) throw new Error(`apply failed (${a.exitCode})`);
      applyMs = a.wallMs;
    }
    const plans = Array.from({ length: RUNS }, () => measure([...cli.argv, 'plan', '--detailed-exitcode', '--target', `nspawn:${name}`, '-f', EXAMPLE], { env: cli.env }));
    if (plans.some((p) => p.exitCode !== 0)) throw new Error('the re-plan is not empty: the testbed has not converged');
    const spec = await loadSpec(EXAMPLE);
    const ex = nspawnExecutor(name);
    const inproc: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await buildPlan(spec, ex);
      inproc.push(performance.now() - t0);
    }
    const planMs = median(plans.map((p) => p.wallMs));
    console.log(`full apply (fresh testbed, example spec): ${applyMs === undefined ? 'skipped (reused testbed)' : `${(applyMs / 1000).toFixed(1)} s`}`);
    console.log(`no-op re-plan (CLI, median of ${RUNS}): ${(planMs / 1000).toFixed(2)} s; in-process buildPlan: ${(median(inproc) / 1000).toFixed(2)} s`);
    if (applyMs !== undefined) console.log(`re-plan / full apply: ${(planMs / applyMs).toFixed(3)}x`);
    return report('no-op re-plan vs the 3 s budget', planMs, 3000, 'ms', { max: 1 }) ? 0 : 1;
  } finally {
    await tb?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** A converged OpenClaw deployment, one config key changed: how long apply waited and how long the gateway was down. */
async function gatewayDowntime(): Promise<void> {
  const tb = await startTestbed({ openclaw: '2026.9.6' });
  try {
    const spec0 = resolveSpec(Spec.parse({ openclaw: { version: '2026.9.6' }, docker: { enabled: false } }));
    await prepareServiceUser(tb.executor, spec0);
    await applySubset(tb.executor, spec0, () => {});
    const spec1 = resolveSpec(Spec.parse({ openclaw: { version: '2026.9.6' }, docker: { enabled: false }, tools: { deny: ['gateway', 'nodes', 'cron'] } }));
    const r = await applySubset(tb.executor, spec1, () => {});
    const settle = r.steps.find((x) => x.resourceId.startsWith('settle:'));
    const down = /gateway down (\d+(?:\.\d+)?) s/.exec(settle?.summary ?? '')?.[1];
    console.log(`config-changing apply: ${(r.durationMs / 1000).toFixed(1)} s, of which settle ${((settle?.durationMs ?? 0) / 1000).toFixed(1)} s (${settle?.summary ?? 'no settle'})`);
    console.log(`gateway down while apply waited: ${down ?? '?'} s (before settle, apply returned and the operator met that downtime after "Apply complete")`);
  } finally {
    await tb.stop();
  }
}

process.exitCode = await main();
if (process.exitCode === 0 && !process.env.CLAWOPS_BENCH_NO_GATEWAY && !testbedSkipReason()) await gatewayDowntime();
