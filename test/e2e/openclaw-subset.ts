/**
 * The OpenClaw resources of a spec applied through the real engine (lock, journal, settle), minus
 * the npm install (the testbed's prebuilt openclaw is linked in by prepareServiceUser) and the timers.
 * Used by bench/apply.bench.ts.
 */
import type { Executor } from '../../src/exec/types.ts';
import type { Plan, Resource } from '../../src/engine/types.ts';
import { applyPlan, type ApplyResult } from '../../src/engine/apply.ts';
import { orderByDependencies } from '../../src/engine/order.ts';
import { planOne, readFacts, summarize, unreadable } from '../../src/engine/plan.ts';
import type { ResolvedSpec } from '../../src/desired/resolve.ts';
import { openclawResources } from '../../src/openclaw/index.ts';

const WANTED = /^(openclaw-token|openclaw-file-modes|openclaw-config|openclaw-identity|openclaw-unit|openclaw-unit-dropins|service:openclaw\.service|openclaw-pairing):/;

export async function applySubset(ex: Executor, spec: ResolvedSpec, log: (l: string) => void): Promise<ApplyResult & { plan: Plan }> {
  const resources = orderByDependencies(openclawResources(spec).filter((r) => WANTED.test(`${r.id}:`)));
  const raw = await readFacts(resources, ex);
  const planned = [];
  for (const r of resources) {
    const out = await planOne(r, raw);
    if ('unknown' in out) throw unreadable(r, out.unknown, ex.target);
    planned.push(out.plan);
  }
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
