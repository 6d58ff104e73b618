/**
 * The OpenClaw resources of a spec applied through the real engine (lock, journal, settle), minus
 * the npm install (the testbed's prebuilt openclaw is linked in by prepareServiceUser) and the timers.
 * Shared by test/e2e/openclaw-live.test.ts and bench/apply.bench.ts.
 */
import type { Executor } from '../../src/exec/types.ts';
import type { Plan, Resource } from '../../src/engine/types.ts';
import { applyPlan, type ApplyResult } from '../../src/engine/apply.ts';
import { orderByDependencies } from '../../src/engine/order.ts';
import { planResource, readAll, summarize } from '../../src/engine/plan.ts';
import type { ResolvedSpec } from '../../src/desired/resolve.ts';
import { openclawResources } from '../../src/openclaw/index.ts';

const WANTED = /^(openclaw-token|openclaw-config|openclaw-identity|openclaw-unit|service:openclaw\.service|openclaw-pairing):/;

export async function applySubset(ex: Executor, spec: ResolvedSpec, log: (l: string) => void): Promise<ApplyResult & { plan: Plan }> {
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

/** The service user with the testbed's prebuilt openclaw linked in as its pinned bin (what the install resource does for real). */
export async function prepareServiceUser(ex: Executor, spec: ResolvedSpec): Promise<void> {
  const i = spec.resolved[0]!;
  await ex.run(['useradd', '--system', '--create-home', '--home-dir', i.home, '--shell', '/usr/sbin/nologin', i.user]);
  await ex.run(['chmod', '700', i.home]);
  await ex.run(['sh', '-c', `mkdir -p -m 700 ${i.stateDir} ${i.npmPrefix}/bin && ln -s /usr/local/bin/openclaw ${i.bin}`], { user: i.user });
}
