/**
 * Plan-time facts of the target that make a spec impossible: an instance port that another
 * process (not that instance's own user) listens on, a management interface that does not exist,
 * a service user that is an existing account clawops did not create (see accountProblem).
 * Read through the gate's own facts (sockets, users, interfaces); nothing is changed.
 */
import type { PlanProblem } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { collectRaw, factReader } from '../facts/collect.ts';
import { interfaces, type Listener, listeners } from '../facts/network.ts';
import { serviceUser, type UserValue } from '../facts/system.ts';
import { type FactReader, type FactRef, FactUnknownError, known, ref } from '../facts/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { DEFAULT_SHELL, SERVICE_USER_GECOS } from './user.ts';

/** A passwd entry with the name of its primary group. */
export interface Account {
  uid: number;
  gid: number;
  group: string;
  gecos: string;
  home: string;
  shell: string;
}

export interface HostFacts {
  listeners: Listener[];
  /** user name -> uid (null: no such user) */
  uids: Record<string, number | null>;
  /** user name -> its account (null: no such user) */
  accounts: Record<string, Account | null>;
  interfaces: string[];
}

/** The facts the plan-time problems read: the gate's sockets, the service users, the interfaces. */
export function hostNeeds(spec: ResolvedSpec): FactRef<unknown>[] {
  return [ref(listeners), ref(interfaces), ...spec.resolved.map((i) => ref(serviceUser, i.user))];
}

export function hostFacts(f: FactReader, spec: ResolvedSpec): HostFacts {
  const uids: Record<string, number | null> = {};
  const accounts: Record<string, Account | null> = {};
  for (const i of spec.resolved) {
    const u = known(f, ref(serviceUser, i.user));
    uids[i.user] = u.exists && u.uid !== undefined ? u.uid : null;
    accounts[i.user] = accountOf(u);
  }
  return { listeners: known(f, ref(listeners)), uids, accounts, interfaces: known(f, ref(interfaces)) };
}

/**
 * Why an existing account may not become (or stay) an instance's service user, or undefined when it
 * may. clawops takes only accounts it created: those it makes now carry SERVICE_USER_GECOS as their
 * comment; those made before that look exactly like what its `useradd --system --user-group
 * --no-create-home --shell nologin` gives (a system uid, an empty comment, a primary group of the
 * same name, the spec's home, nologin). Anything else (www-data, postgres, an admin's login) would
 * have its password locked, its shell and home changed and be put in the docker group.
 */
export function accountProblem(user: string, home: string, a: Account, target: string): string | undefined {
  const what = `${user} is an existing account on ${target} ` +
    `(uid ${a.uid}, home ${a.home}${a.gecos ? `, ${JSON.stringify(a.gecos)}` : ''})`;
  if (a.uid === 0) return `${what} with uid 0: the gateway would run as root; name a dedicated user`;
  if (a.gecos === SERVICE_USER_GECOS) return undefined;
  const systemUid = a.uid >= 100 && a.uid < 1000;
  const legacy = a.gecos === '' && a.group === user && a.home === home && a.shell === DEFAULT_SHELL && systemUid;
  if (legacy) return undefined;
  return `${what} that clawops did not create: it would lock its password, change its shell and home and put it ` +
    'in the docker group; name another user, or, if this account is meant for the gateway, mark it with ' +
    `\`usermod -c '${SERVICE_USER_GECOS}' ${user}\``;
}


/** The account a `user` fact shows, or null when there is none. */
export function accountOf(u: UserValue): Account | null {
  if (!u.exists || u.uid === undefined) return null;
  return { uid: u.uid, gid: u.gid ?? -1, group: u.group ?? '', gecos: u.gecos ?? '', home: u.home ?? '', shell: u.shell ?? '' };
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
    const account = facts.accounts[inst.user];
    const refused = account ? accountProblem(inst.user, inst.home, account, target) : undefined;
    const userKey = spec.instances[i]?.user !== undefined ? 'user' : 'name';
    if (refused) problems.push({ path: `instances[${i}].${userKey}`, message: refused });
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
