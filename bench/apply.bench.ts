/**
 * Plan/apply on the testbed: the full `clawops apply --yes` of the example spec on a fresh testbed,
 * then a no-op re-plan on the converged host (target: under 3 s), printed side by side, plus the
 * no-op plan's in-process time (without CLI start-up). CLAWOPS_BENCH_TESTBED=NAME reuses a
 * converged testbed (the apply is then skipped).
 */
import { buildPlan } from '../src/engine/plan.ts';
import { nspawnExecutor } from '../src/exec/nspawn.ts';
import { loadSpec } from '../src/desired/load.ts';
import { addTailscaleStandIn, EXAMPLE } from '../test/e2e/apply-cli.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../test/helpers/testbed.ts';
import { measure, report, shippedCli } from './lib.ts';
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

process.exitCode = await main();
