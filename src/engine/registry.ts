/**
 * Areas of the spec register the resources they want and the plan-time checks they need. The
 * engine knows no area: `buildPlan` asks every registered provider. Add an area with one
 * `registerArea` call in its module and one import line in src/resources/index.ts.
 */
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { PlanProblem, Resource } from './types.ts';

export interface Area {
  /** e.g. `host`, `firewall`, `openclaw` */
  name: string;
  /** the desired resources for this spec (none when the area is disabled) */
  resources(spec: ResolvedSpec): Resource[];
  /** plan-time validation against the target (ports in use, interfaces, ...); never changes anything */
  preflight?(spec: ResolvedSpec, ex: Executor): Promise<PlanProblem[]>;
}

const areas = new Map<string, Area>();

export function registerArea(area: Area): void {
  areas.set(area.name, area);
}

export function registeredAreas(): Area[] {
  return [...areas.values()];
}

/** Every desired resource of the spec, in registration order; duplicate ids are a bug. */
export function desiredResources(spec: ResolvedSpec): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<string>();
  for (const area of areas.values()) {
    for (const r of area.resources(spec)) {
      if (seen.has(r.id)) throw new Error(`resource ${r.id} is declared twice (area ${area.name})`);
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}
