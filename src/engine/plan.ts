/**
 * Building the plan: collect the desired resources of every area, validate the spec against the
 * target, probe every fact they need once (the same facts the checks read), plan each one (pure),
 * and order the result dependencies first. The result is data (`Plan`) plus the resources that apply it.
 */
import { ClawopsError } from '../core/errors.ts';
import { VERSION } from '../cli/version.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { PlanProblemError, PlanProblemsError } from './errors.ts';
import { fingerprint } from './hash.ts';
import { orderByDependencies } from './order.ts';
import { AREAS, type Area, desiredResources } from './registry.ts';
import { collectRaw, factReader } from '../facts/collect.ts';
import { FactUnknownError, type FactReader, type Raw } from '../facts/types.ts';
import { PLAN_SCHEMA_VERSION, type JsonValue, type Plan, type PlanOutcome, type PlanProblem, type PlanSummary, type Resource, type ResourcePlan } from './types.ts';

export interface BuiltPlan {
  plan: Plan;
  /** the resources by id, to apply the plan's changes */
  resources: Map<string, Resource>;
}

export function specHash(spec: ResolvedSpec): string {
  return fingerprint(spec);
}

export async function buildPlan(spec: ResolvedSpec, ex: Executor, opts: { specSource?: string; areas?: readonly Area[] } = {}): Promise<BuiltPlan> {
  const source = opts.specSource ?? '(embedded defaults)';
  const areas = opts.areas ?? AREAS;
  const resources = orderByDependencies(desiredResources(spec, areas));
  const [problems, raw] = await Promise.all([preflight(spec, ex, areas), readFacts(resources, ex)]);
  const f = factReader(raw);
  const planned: ResourcePlan[] = [];
  const pending = new Set<string>();
  for (const r of resources) {
    try {
      const out = await planOne(r, raw, f);
      if ('unknown' in out) {
        const waitsOn = (r.dependsOn ?? []).filter((d) => pending.has(d));
        if (waitsOn.length === 0) throw unreadable(r, out.unknown, ex.target);
        planned.push(deferredPlan(r, `read after ${waitsOn.join(', ')} (${out.unknown.message.split('\n')[0]})`));
        pending.add(r.id);
        continue;
      }
      if (out.plan.changes.length > 0) pending.add(r.id);
      planned.push(out.plan);
    } catch (err) {
      if (err instanceof PlanProblemError) problems.push({ path: err.path, message: err.message.slice(err.path.length + 2) });
      else throw err;
    }
  }
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

async function preflight(spec: ResolvedSpec, ex: Executor, areas: readonly Area[]): Promise<PlanProblem[]> {
  const lists = await Promise.all(areas.map((a) => a.preflight?.(spec, ex) ?? Promise.resolve([])));
  return lists.flat();
}

/** Probe every fact the resources need, once each (shared with any check reading the same fact). */
export async function readFacts(resources: readonly Resource[], ex: Executor): Promise<Map<string, Raw>> {
  return collectRaw(ex, resources.flatMap((r) => r.needs()));
}

/** The fingerprint of a resource: its needed facts' raw output (durations left out). */
export function resourceFingerprint(r: Resource, raw: ReadonlyMap<string, Raw>): string {
  return fingerprint(r.needs().map((n) => [n.key, withoutDuration(raw.get(n.key))]));
}

function withoutDuration(x: Raw | undefined): JsonValue {
  if (!x) return null;
  const { durationMs: _d, ...rest } = x;
  return rest as JsonValue;
}

type Planned = { plan: ResourcePlan } | { unknown: FactUnknownError };

/** Plan one resource over facts; a needed fact that is unknown comes back as such. */
export async function planOne(r: Resource, raw: ReadonlyMap<string, Raw>, f: FactReader = factReader(raw)): Promise<Planned> {
  try {
    return { plan: planResource(r, await r.plan(f), resourceFingerprint(r, raw)) };
  } catch (err) {
    if (err instanceof FactUnknownError) return { unknown: err };
    throw err;
  }
}

export function deferredPlan(r: Resource, why: string): ResourcePlan {
  return { id: r.id, kind: r.kind, dependsOn: [...(r.dependsOn ?? [])], fingerprint: 'deferred', changes: [], deferred: why };
}

export function unreadable(r: Resource, err: FactUnknownError, target: string): ClawopsError {
  return new ClawopsError(`cannot read ${r.id} on ${target}: ${err.key}: ${err.message}`, {
    cause: err,
    hint: 'check that the target is reachable and that clawops runs as root there',
  });
}

export function planResource(r: Resource, outcome: PlanOutcome, fp: string): ResourcePlan {
  const base = { id: r.id, kind: r.kind, dependsOn: [...(r.dependsOn ?? [])], fingerprint: fp };
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

/**
 * A saved plan against the target now: `drifted`, the resources whose facts differ from when the
 * plan was made; `altered`, those whose saved changes are not what planning them on the same facts
 * gives (a plan file edited after it was made: apply would otherwise write what the edit says).
 */
export async function checkSavedPlan(plan: Plan, resources: Map<string, Resource>, ex: Executor): Promise<{ drifted: string[]; altered: string[] }> {
  const wanted = plan.resources.filter((r) => r.deferred === undefined);
  const missing = wanted.filter((r) => !resources.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    throw new ClawopsError(`the saved plan names resources this spec does not declare: ${missing.join(', ')}`, {
      hint: 'make a new plan with `clawops plan --out plan.json`',
    });
  }
  const list = wanted.map((r) => resources.get(r.id) as Resource);
  const raw = await readFacts(list, ex);
  const f = factReader(raw);
  const drifted: string[] = [];
  const altered: string[] = [];
  for (const [i, saved] of wanted.entries()) {
    const r = list[i] as Resource;
    if (resourceFingerprint(r, raw) !== saved.fingerprint) {
      drifted.push(saved.id);
      continue;
    }
    const now = await planOne(r, raw, f);
    const changes = 'plan' in now ? now.plan.changes : null;
    if (changes === null || fingerprint(changes) !== fingerprint(saved.changes)) altered.push(saved.id);
  }
  return { drifted, altered };
}

/** Read one resource's facts now and plan it (day-2 commands and tests); an unreadable fact throws. */
export async function planNow(r: Resource, ex: Executor): Promise<PlanOutcome> {
  const out = await planOne(r, await readFacts([r], ex));
  if ('unknown' in out) throw unreadable(r, out.unknown, ex.target);
  return 'noop' in out.plan ? { noop: out.plan.noop ?? '' } : { changes: out.plan.changes };
}
