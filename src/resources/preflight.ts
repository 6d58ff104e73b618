/**
 * Plan-time facts of the target that make a spec impossible: an instance port that another
 * process (not that instance's own user) listens on, a management interface that does not exist.
 * One round trip; nothing is changed.
 */
import type { PlanProblem } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';

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
  interfaces: string[];
}

const SCRIPT = `ss -Htlnpe 2>/dev/null; echo --users--
for u in "$@"; do printf '%s %s\\n' "$u" "$(id -u "$u" 2>/dev/null || echo -)"; done
echo --links--; ip -o link 2>/dev/null; true`;

export async function readHostFacts(ex: Executor, users: readonly string[]): Promise<HostFacts> {
  const r = await ex.run(['sh', '-c', SCRIPT, 'sh', ...users]);
  return parseHostFacts(r.stdout);
}

export function parseHostFacts(out: string): HostFacts {
  const [ss = '', rest = ''] = out.split('--users--\n');
  const [users = '', links = ''] = rest.split('--links--\n');
  return { listeners: parseSs(ss), uids: parseUids(users), interfaces: parseIpLink(links) };
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

function parseUids(text: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const line of text.split('\n')) {
    const [u, id] = line.trim().split(' ');
    if (u) out[u] = id && /^\d+$/.test(id) ? Number(id) : null;
  }
  return out;
}

/** `ip -o link`: `2: eth0@if7: <...>`; names without the `@peer` suffix. */
export function parseIpLink(text: string): string[] {
  return [...text.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1] as string);
}

/** Pure: the problems the facts show for this spec. */
export function hostProblems(spec: ResolvedSpec, facts: HostFacts, target: string): PlanProblem[] {
  const problems: PlanProblem[] = [];
  spec.resolved.forEach((inst, i) => {
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
