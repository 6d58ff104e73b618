/**
 * Which SSH sessions depend on the port-22 safety net: established TCP connections to :22 (from
 * `ss`) plus clawops' own session ($SSH_CONNECTION on the target), whose local address is not on a
 * management interface or loopback. Tailscale SSH does not use TCP :22 and never shows up here.
 */

export interface SshSession {
  peer: string;
  local: string;
  /** interface holding the local address, or null when unknown */
  iface: string | null;
}

/** The shell script `read` runs on the target: three sections split by marker lines. */
export const SESSION_PROBE = [
  'echo "## ssh_connection"; printf "%s\\n" "${SSH_CONNECTION:-}"',
  'echo "## ss"; ss -Htn state established "( sport = :22 )" 2>/dev/null || true',
  'echo "## addr"; ip -o addr show 2>/dev/null || true',
].join('; ');

function section(out: string, name: string): string[] {
  const parts = out.split(/^## /m);
  const p = parts.find((s) => s.startsWith(`${name}\n`));
  return p ? p.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
}

function stripAddr(a: string): string {
  const host = a.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').replace(/%\S+$/, '');
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}

/** `ip -o addr show` -> address -> interface */
export function parseIpAddr(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const f = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet6?\s+([^/\s]+)/.exec(l);
    if (f?.[1] && f[2]) m.set(f[2], f[1]);
  }
  return m;
}

export function parseSessionProbe(out: string): SshSession[] {
  const addrs = parseIpAddr(section(out, 'addr'));
  const seen = new Map<string, SshSession>();
  const add = (peer: string, local: string): void => {
    const s = { peer, local, iface: addrs.get(local) ?? (local.startsWith('127.') || local === '::1' ? 'lo' : null) };
    seen.set(`${peer}>${local}`, s);
  };
  for (const l of section(out, 'ss')) {
    // Recv-Q Send-Q Local:Port Peer:Port [process]
    const f = l.split(/\s+/);
    if (f[2] && f[3]) add(stripAddr(f[3]), stripAddr(f[2]));
  }
  const sc = section(out, 'ssh_connection')[0]?.split(/\s+/);
  if (sc && sc.length >= 4 && sc[3] === '22') add(stripAddr(sc[0] ?? ''), stripAddr(sc[2] ?? ''));
  return [...seen.values()].sort((a, b) => `${a.peer}${a.local}`.localeCompare(`${b.peer}${b.local}`));
}

/** Sessions that would lose their way back in without `allow 22/tcp`. */
export function dependentSessions(sessions: readonly SshSession[], mgmt: readonly string[]): SshSession[] {
  return sessions.filter((s) => s.iface !== 'lo' && (s.iface === null || !mgmt.includes(s.iface)));
}

export function describeSession(s: SshSession): string {
  return `${s.peer} -> ${s.local}:22${s.iface ? ` (${s.iface})` : ''}`;
}
