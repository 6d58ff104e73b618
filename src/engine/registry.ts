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
import type { AfterApply, ApplyDone } from './apply.ts';
import type { Journal, PlanProblem, Resource } from './types.ts';

export interface Area {
  /** e.g. `host`, `firewall`, `openclaw` */
  name: string;
  /** the desired resources for this spec (none when the area is disabled) */
  resources(spec: ResolvedSpec): Resource[];
  /** resources made from every other area's (the file integrity database over the files they write) */
  derived?(spec: ResolvedSpec, others: readonly Resource[]): Resource[];
  /** after an apply that changed something: follow its new state (one line for the output, or none) */
  afterApply?(spec: ResolvedSpec, ex: Executor, journal: Journal | undefined, done: ApplyDone): Promise<string | undefined>;
  /** plan-time validation against the target (ports in use, interfaces, ...); never changes anything */
  preflight?(spec: ResolvedSpec, ex: Executor): Promise<PlanProblem[]>;
}

export const AREAS: readonly Area[] = [hostArea, baselineArea, selfArea, openclawArea, firewallArea];

/** Every desired resource of the spec, area by area; duplicate ids are a bug. */
export function desiredResources(spec: ResolvedSpec, areas: readonly Area[] = AREAS): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<string>();
  const add = (area: Area, rs: readonly Resource[]) => {
    for (const r of rs) {
      if (seen.has(r.id)) throw new Error(`resource ${r.id} is declared twice (area ${area.name})`);
      seen.add(r.id);
      out.push(r);
    }
  };
  for (const area of areas) add(area, area.resources(spec));
  const base = [...out];
  for (const area of areas) if (area.derived) add(area, area.derived(spec, base));
  return out;
}

/** Each area's afterApply for this spec, in area order (the engine runs it once every change has settled). */
export function afterApply(spec: ResolvedSpec, areas: readonly Area[] = AREAS): AfterApply {
  return async (ex, journal, done) => {
    const lines: string[] = [];
    for (const area of areas) {
      const line = await area.afterApply?.(spec, ex, journal, done);
      if (line) lines.push(line);
    }
    return lines;
  };
}

/**
 * For the day-2 commands that write a watched file outside an apply (upgrade's unit switch, contain's
 * hold drop-in): the areas follow those paths as they follow an apply's. Never throws: what follows
 * is secondary to the command that wrote them; its line says what happened.
 */
export async function followWrites(spec: ResolvedSpec, ex: Executor, paths: readonly string[]): Promise<string[]> {
  try {
    return await afterApply(spec)(ex, undefined, { changedIds: [], savedPaths: paths });
  } catch (err) {
    return [`not followed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`];
  }
}
