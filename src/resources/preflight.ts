/**
 * Plan-time facts of the target that make a spec impossible: an instance port that another
 * process (not that instance's own user) listens on, a management interface that does not exist.
 * Read through the gate's own facts (sockets, users, interfaces); nothing is changed.
 */
import type { PlanProblem } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { collectRaw, factReader } from '../facts/collect.ts';
import { interfaces, type Listener, listeners } from '../facts/network.ts';
import { serviceUser } from '../facts/system.ts';
import { type FactReader, type FactRef, FactUnknownError, known, ref } from '../facts/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';

export interface HostFacts {
  listeners: Listener[];
  /** user name -> uid (null: no such user) */
  uids: Record<string, number | null>;
  interfaces: string[];
}

/** The facts the plan-time problems read: the gate's sockets, the service users, the interfaces. */
export function hostNeeds(spec: ResolvedSpec): FactRef<unknown>[] {
  return [ref(listeners), ref(interfaces), ...spec.resolved.map((i) => ref(serviceUser, i.user))];
}

export function hostFacts(f: FactReader, spec: ResolvedSpec): HostFacts {
  const uids: Record<string, number | null> = {};
  for (const i of spec.resolved) {
    const u = known(f, ref(serviceUser, i.user));
    uids[i.user] = u.exists && u.uid !== undefined ? u.uid : null;
  }
  return { listeners: known(f, ref(listeners)), uids, interfaces: known(f, ref(interfaces)) };
}

/** Probe and evaluate (the host area's preflight). */
export async function hostPreflight(spec: ResolvedSpec, ex: Executor): Promise<PlanProblem[]> {
  const f = factReader(await collectRaw(ex, hostNeeds(spec)));
  try {
    return hostProblems(spec, hostFacts(f, spec), ex.target);
  } catch (err) {
    if (err instanceof FactUnknownError) return [{ path: 'instances', message: `cannot read the target's sockets, users or interfaces: ${err.message}` }];
    throw err;
  }
}

/** Pure: the problems the facts show for this spec. */
export function hostProblems(spec: ResolvedSpec, facts: HostFacts, target: string): PlanProblem[] {
  const problems: PlanProblem[] = [];
  spec.resolved.forEach((inst, i) => {
    const own = facts.uids[inst.user] ?? null;
    const other = facts.listeners.find((l) => l.port === inst.port && (own === null || l.uid !== own));
    if (other) {
      const who = other.processes[0] ? `${other.processes[0]} (pid ${other.pid}${other.uid !== null ? `, uid ${other.uid}` : ''})` : 'another process';
      problems.push({
        path: `instances[${i}].port`,
        message: `port ${inst.port} is already in use on ${target} by ${who} on ${other.address}; instance ${inst.name} (user ${inst.user}) cannot listen there`,
      });
    }
  });
  if (spec.firewall.enabled) {
    spec.firewall.managementInterfaces.forEach((name, i) => {
      if (!facts.interfaces.includes(name)) {
        problems.push({
          path: `firewall.managementInterfaces[${i}]`,
          message: `interface ${name} does not exist on ${target} (it has: ${facts.interfaces.join(', ') || 'none'})${name.startsWith('tailscale') ? '; bring Tailscale up first' : ''}`,
        });
      }
    });
  }
  return problems;
}
