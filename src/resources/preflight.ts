/**
 * Plan-time facts of the target that make a spec impossible: an instance port that another
 * process (not that instance's own user) listens on, a management interface that does not exist,
 * a service user that is an existing account clawops did not create (see accountProblem).
 * One round trip; nothing is changed.
 */
import type { PlanProblem } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
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

export interface Listener {
  address: string;
  port: number;
  uid: number | null;
  process: string | null;
  pid: number | null;
}

export interface HostFacts {
  listeners: Listener[];
  /** user name -> uid (null: no such user) */
  uids: Record<string, number | null>;
  /** user name -> its account (null: no such user) */
  accounts: Record<string, Account | null>;
  interfaces: string[];
}

const SCRIPT = `ss -Htlnpe 2>/dev/null; echo --users--
for u in "$@"; do
  e=$(getent passwd "$u") && printf '%s:%s\\n' "$e" "$(id -gn "$u" 2>/dev/null)" || printf '%s:-\\n' "$u"
done
echo --links--; ip -o link 2>/dev/null; true`;

export async function readHostFacts(ex: Executor, users: readonly string[]): Promise<HostFacts> {
  const r = await ex.run(['sh', '-c', SCRIPT, 'sh', ...users]);
  return parseHostFacts(r.stdout);
}

export function parseHostFacts(out: string): HostFacts {
  const [ss = '', rest = ''] = out.split('--users--\n');
  const [users = '', links = ''] = rest.split('--links--\n');
  const accounts = parseAccounts(users);
  const uids = Object.fromEntries(Object.entries(accounts).map(([u, a]) => [u, a?.uid ?? null]));
  return { listeners: parseSs(ss), uids, accounts, interfaces: parseIpLink(links) };
}

/** `ss -Htlnpe` lines: State Recv-Q Send-Q Local:Port Peer:Port [users:((...))] [uid:N] ... */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const local = cols[3];
    if (!local || cols[0] !== 'LISTEN') continue;
    const i = local.lastIndexOf(':');
    const port = Number(local.slice(i + 1));
    if (!Number.isInteger(port)) continue;
    const proc = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
    const uid = /\buid:(\d+)/.exec(line);
    out.push({
      address: local.slice(0, i),
      port,
      uid: uid ? Number(uid[1]) : null,
      process: proc ? (proc[1] as string) : null,
      pid: proc ? Number(proc[2]) : null,
    });
  }
  return out;
}

/** `name:x:uid:gid:gecos:home:shell:primary-group` per user, or `name:-` for none. */
export function parseAccounts(text: string): Record<string, Account | null> {
  const out: Record<string, Account | null> = {};
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const name = f[0];
    if (!name) continue;
    if (f.length < 8 || !/^\d+$/.test(f[2] ?? '')) {
      out[name] = null;
      continue;
    }
    const [uid, gid, gecos = '', home = '', shell = '', group = ''] = f.slice(2);
    out[name] = { uid: Number(uid), gid: Number(gid), gecos, home, shell, group };
  }
  return out;
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

/** `ip -o link`: `2: eth0@if7: <...>`; names without the `@peer` suffix. */
export function parseIpLink(text: string): string[] {
  return [...text.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1] as string);
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
      const who = other.process ? `${other.process} (pid ${other.pid}${other.uid !== null ? `, uid ${other.uid}` : ''})` : 'another process';
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
