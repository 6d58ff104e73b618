/**
 * Building the plan: collect the desired resources of every area, validate the spec against the
 * target, read every resource (concurrently: reading changes nothing), plan each one (pure), and
 * order the result dependencies first. The result is data (`Plan`) plus the resources that apply it.
 */
import { ClawopsError } from '../core/errors.ts';
import { VERSION } from '../cli/version.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { PlanProblemError, PlanProblemsError } from './errors.ts';
import { fingerprint } from './hash.ts';
import { mapLimit, orderByDependencies } from './order.ts';
import { desiredResources, registeredAreas } from './registry.ts';
import { PLAN_SCHEMA_VERSION, type JsonValue, type Plan, type PlanProblem, type PlanSummary, type Resource, type ResourcePlan } from './types.ts';

export const READ_CONCURRENCY = 8;

export interface BuiltPlan {
  plan: Plan;
  /** the resources by id, to apply the plan's changes */
  resources: Map<string, Resource>;
}

export function specHash(spec: ResolvedSpec): string {
  return fingerprint(spec);
}

export async function buildPlan(spec: ResolvedSpec, ex: Executor, opts: { specSource?: string } = {}): Promise<BuiltPlan> {
  const source = opts.specSource ?? '(embedded defaults)';
  const resources = orderByDependencies(desiredResources(spec));
  const [problems, states] = await Promise.all([preflight(spec, ex), readSettled(resources, ex)]);
  const planned: ResourcePlan[] = [];
  const pending = new Set<string>();
  resources.forEach((r, i) => {
    const st = states[i] as ReadOutcome;
    try {
      if ('error' in st) {
        const waitsOn = (r.dependsOn ?? []).filter((d) => pending.has(d));
        if (waitsOn.length === 0) throw st.error;
        planned.push(deferredPlan(r, `read after ${waitsOn.join(', ')} (${firstLine(st.error)})`));
        pending.add(r.id);
        return;
      }
      const rp = planResource(r, st.state);
      if (rp.changes.length > 0) pending.add(r.id);
      planned.push(rp);
    } catch (err) {
      if (err instanceof PlanProblemError) problems.push({ path: err.path, message: err.message.slice(err.path.length + 2) });
      else throw err;
    }
  });
  if (problems.length > 0) throw new PlanProblemsError(source, ex.target, problems);
  const plan: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    target: ex.target,
    specHash: specHash(spec),
    specSource: source,
    createdAt: new Date().toISOString(),
    clawopsVersion: VERSION,
    resources: planned,
    summary: summarize(planned),
  };
  return { plan, resources: new Map(resources.map((r) => [r.id, r])) };
}

async function preflight(spec: ResolvedSpec, ex: Executor): Promise<PlanProblem[]> {
  const lists = await Promise.all(registeredAreas().map((a) => a.preflight?.(spec, ex) ?? Promise.resolve([])));
  return lists.flat();
}

type ReadOutcome = { state: JsonValue } | { error: unknown };

function readSettled(resources: readonly Resource[], ex: Executor): Promise<ReadOutcome[]> {
  return mapLimit(resources, READ_CONCURRENCY, async (r) => {
    try {
      return { state: (await readAll([r], ex))[0] ?? null };
    } catch (error) {
      return { error };
    }
  });
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

export function deferredPlan(r: Resource, why: string): ResourcePlan {
  return { id: r.id, kind: r.kind, dependsOn: [...(r.dependsOn ?? [])], fingerprint: 'deferred', changes: [], deferred: why };
}

/** Read every resource's current state; a failed read names its resource. */
export function readAll(resources: readonly Resource[], ex: Executor): Promise<JsonValue[]> {
  return mapLimit(resources, READ_CONCURRENCY, async (r) => {
    try {
      return await r.read(ex);
    } catch (cause) {
      throw new ClawopsError(`cannot read ${r.id} on ${ex.target}: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
        hint: 'check that the target is reachable and that clawops runs as root there',
      });
    }
  });
}

export function planResource(r: Resource, state: JsonValue): ResourcePlan {
  const outcome = r.plan(state);
  const base = { id: r.id, kind: r.kind, dependsOn: [...(r.dependsOn ?? [])], fingerprint: fingerprint(state) };
  if ('noop' in outcome) return { ...base, changes: [], noop: outcome.noop };
  if (outcome.changes.length === 0) return { ...base, changes: [], noop: 'already as wanted' };
  return { ...base, changes: outcome.changes };
}

export function summarize(resources: readonly ResourcePlan[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, remove: 0 };
  for (const r of resources) for (const c of r.changes) s[c.action]++;
  return s;
}

export function hasChanges(plan: Plan): boolean {
  return plan.resources.some((r) => r.changes.length > 0 || r.deferred !== undefined);
}

/** Ids of the plan's resources whose facts differ from when the plan was made. */
export async function driftedResources(plan: Plan, resources: Map<string, Resource>, ex: Executor): Promise<string[]> {
  const wanted = plan.resources.filter((r) => r.deferred === undefined);
  const missing = wanted.filter((r) => !resources.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    throw new ClawopsError(`the saved plan names resources this spec does not declare: ${missing.join(', ')}`, {
      hint: 'make a new plan with `clawops plan --out plan.json`',
    });
  }
  const list = wanted.map((r) => resources.get(r.id) as Resource);
  const states = await readAll(list, ex);
  return wanted.filter((r, i) => fingerprint(states[i] ?? null) !== r.fingerprint).map((r) => r.id);
}
