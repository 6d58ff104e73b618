/**
 * The areas of the spec, listed once, in an explicit order (no registration by import side
 * effect): each gives the resources it wants for a spec and the plan-time checks it needs. The
 * engine asks them in this order; dependencies between resources decide the apply order.
 */
import { baselineArea } from '../baseline/index.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { firewallArea } from '../resources/firewall/index.ts';
import { hostArea } from '../resources/host.ts';
import { openclawArea } from '../resources/openclaw.ts';
import { selfArea } from '../resources/self.ts';
import type { PlanProblem, Resource } from './types.ts';

export interface Area {
  /** e.g. `host`, `firewall`, `openclaw` */
  name: string;
  /** the desired resources for this spec (none when the area is disabled) */
  resources(spec: ResolvedSpec): Resource[];
  /** plan-time validation against the target (ports in use, interfaces, ...); never changes anything */
  preflight?(spec: ResolvedSpec, ex: Executor): Promise<PlanProblem[]>;
}

export const AREAS: readonly Area[] = [hostArea, baselineArea, selfArea, openclawArea, firewallArea];

/** Every desired resource of the spec, area by area; duplicate ids are a bug. */
export function desiredResources(spec: ResolvedSpec, areas: readonly Area[] = AREAS): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<string>();
  for (const area of areas) {
    for (const r of area.resources(spec)) {
      if (seen.has(r.id)) throw new Error(`resource ${r.id} is declared twice (area ${area.name})`);
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}
