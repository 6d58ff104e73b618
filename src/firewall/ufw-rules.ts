/**
 * UFW rules as data. A rule is kept in the canonical form `ufw show added` prints (which is also
 * valid `ufw` syntax), so what clawops adds reads back byte for byte. UFW itself treats two rules
 * with the same match (direction, interface, ports, addresses) as one rule and replaces the action
 * and comment in place: `key` is that match.
 */
import type { SpecData } from '../desired/schema.ts';

export type UfwAction = 'allow' | 'deny' | 'reject' | 'limit';

export interface UfwRule {
  /** canonical arguments after `ufw` without the comment, e.g. `allow in on tailscale0`, `allow out 443/tcp` */
  text: string;
  action: UfwAction;
  direction: 'in' | 'out';
  /** `on IFACE` */
  iface: string | null;
  /** ufw's identity of the rule: everything but action and comment */
  key: string;
  /** destination port spec (`22`, `443/tcp`, `60000:61000/udp`, `22,80`) or null for any */
  port: string | null;
  /** `from` address, or null for anywhere */
  from: string | null;
  comment: string | null;
}

/** Comments on rules clawops manages start with this. */
export const MANAGED_COMMENT = 'clawops';
export const SAFETY_NET_COMMENT = 'clawops: ssh safety net';
export const SAFETY_NET_TEXT = 'allow 22/tcp';

const ACTIONS = new Set(['allow', 'deny', 'reject', 'limit']);

/** Parse one rule in `ufw show added` form (with or without the leading `ufw`). */
export function parseUfwRule(line: string): UfwRule | null {
  let s = line.trim();
  if (s.startsWith('ufw ')) s = s.slice(4);
  let comment: string | null = null;
  const cm = /\s+comment\s+'((?:[^']|'\\'')*)'$/.exec(s) ?? /\s+comment\s+(\S+)$/.exec(s);
  if (cm) {
    comment = (cm[1] ?? '').replace(/'\\''/g, "'");
    s = s.slice(0, cm.index);
  }
  const tokens = s.split(/\s+/).filter(Boolean);
  const action = tokens[0];
  if (action === undefined || !ACTIONS.has(action)) return null;
  let i = 1;
  let direction: 'in' | 'out' = 'in';
  if (tokens[i] === 'in' || tokens[i] === 'out') direction = tokens[i++] as 'in' | 'out';
  let iface: string | null = null;
  if (tokens[i] === 'on' && tokens[i + 1]) {
    iface = tokens[i + 1] ?? null;
    i += 2;
  }
  const rest = tokens.slice(i).filter((t) => t !== 'log' && t !== 'log-all');
  let port: string | null = null;
  let from: string | null = null;
  if (rest[0] === 'from' || rest[0] === 'to' || rest[0] === 'proto') {
    // extended form: from X [port P] to Y [port P] [proto Q] [app ...]
    let proto: string | null = null;
    let side: 'from' | 'to' | null = null;
    for (let j = 0; j < rest.length; j++) {
      const t = rest[j];
      const v = rest[j + 1] ?? '';
      if (t === 'from' || t === 'to') {
        side = t;
        if (t === 'from' && v !== 'any') from = v;
        j++;
      } else if (t === 'port' && side === 'to') {
        port = v;
        j++;
      } else if (t === 'proto') {
        proto = v;
        j++;
      } else if (t === 'port' || t === 'app') j++;
    }
    if (port !== null && proto !== null && !port.includes('/')) port = `${port}/${proto}`;
  } else if (rest[0] !== undefined) {
    port = rest[0];
  }
  const key = [direction, iface ? `on ${iface}` : '', ...tokens.slice(i)].filter(Boolean).join(' ');
  return { text: tokens.join(' '), action: action as UfwAction, direction, iface, key, port, from, comment };
}

/** Rules from `ufw show added`. */
export function parseShowAdded(out: string): UfwRule[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('ufw '))
    .map(parseUfwRule)
    .filter((r): r is UfwRule => r !== null);
}

/** True when the port spec (`22`, `22/tcp`, `1000:2000/tcp`, `22,80,443/tcp`) includes `port` over tcp. */
export function portSpecIncludes(spec: string | null, port: number): boolean {
  if (spec === null) return true;
  const [list = '', proto] = spec.split('/');
  if (proto !== undefined && proto !== 'tcp') return false;
  if (!/^[\d,:]+$/.test(list)) return false;
  return list.split(',').some((p) => {
    const [lo, hi] = p.split(':').map(Number);
    return hi === undefined ? lo === port : lo !== undefined && lo <= port && port <= hi;
  });
}

/** The runbook's SSH safety net or the same rule added by hand (`ufw allow ssh`, `ufw limit 22/tcp`). */
export function isSafetyNet(r: UfwRule): boolean {
  return (
    r.direction === 'in' &&
    r.iface === null &&
    r.from === null &&
    (r.action === 'allow' || r.action === 'limit') &&
    (r.text.endsWith(' 22/tcp') || r.text.endsWith(' 22')) &&
    r.text.split(' ').length === 2
  );
}

export function isManaged(r: UfwRule): boolean {
  return r.comment !== null && r.comment.startsWith(MANAGED_COMMENT);
}

/** A rule that lets anyone but a management interface reach a gateway port. */
export function opensGatewayPort(r: UfwRule, ports: readonly number[], mgmt: readonly string[]): boolean {
  if (r.direction !== 'in' || (r.action !== 'allow' && r.action !== 'limit')) return false;
  if (r.iface !== null && mgmt.includes(r.iface)) return false;
  return ports.some((p) => portSpecIncludes(r.port, p));
}

export interface DesiredRule {
  text: string;
  comment: string;
}

export type FirewallSpec = SpecData['firewall'];

/** The rules clawops wants, in the order they are added (the safety net first). */
export function desiredUfwRules(fw: FirewallSpec): DesiredRule[] {
  const rules: DesiredRule[] = [];
  if (fw.sshSafetyNet) rules.push({ text: SAFETY_NET_TEXT, comment: SAFETY_NET_COMMENT });
  for (const i of fw.managementInterfaces) rules.push({ text: `allow in on ${i}`, comment: MANAGED_COMMENT });
  if (fw.outbound === 'hardened') {
    const c = `${MANAGED_COMMENT}: hardened outbound`;
    for (const i of fw.managementInterfaces) rules.push({ text: `allow out on ${i}`, comment: c });
    rules.push(
      { text: 'allow out 443/tcp', comment: c },
      { text: 'allow out 80/tcp', comment: c },
      { text: 'allow out 41641/udp', comment: c },
      { text: 'allow out 53', comment: c },
    );
  }
  return rules;
}

export type Policy = 'allow' | 'deny' | 'reject';
export interface UfwDefaults {
  incoming: Policy | null;
  outgoing: Policy | null;
  routed: Policy | null;
}

export function desiredDefaults(fw: FirewallSpec): UfwDefaults {
  return { incoming: 'deny', outgoing: fw.outbound === 'hardened' ? 'deny' : 'allow', routed: 'deny' };
}

/** argv to add a desired rule (the comment travels as one argument, never through a shell). */
export function addArgv(r: DesiredRule): string[] {
  return ['ufw', ...r.text.split(' '), 'comment', r.comment];
}

export function deleteArgv(text: string): string[] {
  return ['ufw', 'delete', ...text.split(' ')];
}
