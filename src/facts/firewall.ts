/** Firewall facts: `ufw status verbose` and the DOCKER-USER chain (`iptables -S DOCKER-USER`). */
import { parseSessionProbe, SESSION_PROBE, type SshSession } from '../firewall/sessions.ts';
import { parseShowAdded, type UfwRule as AddedRule } from '../firewall/ufw-rules.ts';
import { cmdProblem, firstLine, NOT_INSTALLED, scriptFact, sh } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export interface UfwRule {
  /** the rule as ufw prints it, e.g. `18789/tcp ALLOW IN Anywhere` */
  text: string;
  to: string;
  action: string;
  from: string;
  /** interface of an `on IFACE` rule */
  iface?: string;
  /** port number when the rule names one (`OpenSSH`/`ssh` count as 22) */
  port?: number;
  v6: boolean;
  direction: 'in' | 'out';
}

export interface UfwValue {
  /** false when ufw is not installed (then nothing is active) */
  installed: boolean;
  active: boolean;
  defaults: { incoming?: string; outgoing?: string; routed?: string };
  rules: UfwRule[];
}

export const ufwStatus: FactKind<UfwValue> = {
  kind: 'ufw',
  describe: '`ufw status verbose`',
  probe: (ex) => sh(ex, 'command -v ufw >/dev/null 2>&1 || { echo "ufw: not installed" >&2; exit 127; }; exec ufw status verbose'),
  parse(raw) {
    if (raw.t === 'cmd' && raw.exitCode === NOT_INSTALLED) return { installed: false, active: false, defaults: {}, rules: [] };
    const p = cmdProblem(raw, 'ufw status verbose');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`ufw status verbose: ${raw.t === 'cmd' ? firstLine(raw.stderr) || `exit ${raw.exitCode}` : ''}`);
    return parseUfwStatus(raw.stdout) ?? unknown('ufw status verbose: unexpected output');
  },
};

const NAMED_PORTS: Record<string, number> = { openssh: 22, ssh: 22, http: 80, https: 443 };

export function parseUfwStatus(text: string): UfwValue | undefined {
  const status = /^Status: (\w+)/m.exec(text);
  if (!status) return undefined;
  const value: UfwValue = { installed: true, active: status[1] === 'active', defaults: {}, rules: [] };
  const def = /^Default: (.*)$/m.exec(text);
  for (const m of (def?.[1] ?? '').matchAll(/(\w+) \((incoming|outgoing|routed)\)/g)) {
    value.defaults[m[2] as 'incoming' | 'outgoing' | 'routed'] = m[1] ?? '';
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^--\s+-+\s+-+/.test(l.trim()));
  if (start < 0) return value;
  for (const line of lines.slice(start + 1)) {
    if (!line.trim()) continue;
    const noComment = line.replace(/\s+#.*$/, '');
    // columns are padded with spaces but a long "To" can touch the action (`Anywhere (v6) on tailscale0 ALLOW IN`)
    const m = /^(.*?)\s+((?:ALLOW|DENY|REJECT|LIMIT)(?: (?:IN|OUT|FWD))?)\s+(.*)$/.exec(noComment.trim());
    if (!m) continue;
    const [, to = '', action = '', from = ''] = m;
    const iface = / on (\S+)/.exec(`${to} ${from}`)?.[1];
    const v6 = /\(v6\)/.test(line);
    const portTok = to.replace(/ \(v6\)/, '').replace(/ on \S+/, '').split(' ').pop() ?? '';
    const portNum = /^(\d+)(?:[:/]|$)/.exec(portTok)?.[1];
    const port = portNum ? Number(portNum) : NAMED_PORTS[portTok.toLowerCase()];
    value.rules.push({
      text: `${to} ${action} ${from.trim()}`.replace(/\s+/g, ' ').trim(),
      from: from.trim(),
      to,
      action,
      ...(iface ? { iface } : {}),
      ...(port !== undefined ? { port } : {}),
      v6,
      direction: / OUT$/.test(action) ? 'out' : 'in',
    });
  }
  return value;
}

export interface ChainRule {
  text: string;
  inIface?: string;
  target: string;
  ctstate?: string;
  /** true when the rule matches anything besides -i / conntrack state (source, port, protocol...) */
  otherMatches: boolean;
}

export type ChainValue =
  | { exists: false }
  | { exists: true; rules: ChainRule[]; /** FORWARD jumps to the chain */ forwardJumps?: number; /** the first FORWARD rule is one */ jumpFirst?: boolean };

// The whole filter table: on iptables-nft 1.8.9 `-S DOCKER-USER` of a missing chain fails with a
// misleading "incompatible" message (see src/firewall/docker-user.ts).
export const dockerUserChain: FactKind<ChainValue> = {
  kind: 'iptables.docker-user',
  describe: '`iptables -S` (filter table), the DOCKER-USER chain and its FORWARD jump',
  probe: (ex) => sh(ex, 'command -v iptables >/dev/null 2>&1 || { echo "iptables: not installed" >&2; exit 127; }; exec iptables -w 5 -S'),
  parse(raw) {
    const p = cmdProblem(raw, 'iptables -S');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('iptables: no output');
    if (raw.exitCode !== 0) return unknown(`iptables -S: ${firstLine(raw.stderr) || `exit ${raw.exitCode}`}`);
    const c = parseChain(raw.stdout, 'DOCKER-USER');
    if (!c.exists) return c;
    const forward = raw.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('-A FORWARD '));
    const isJump = (l: string | undefined) => l === '-A FORWARD -j DOCKER-USER';
    return { ...c, forwardJumps: forward.filter(isJump).length, jumpFirst: isJump(forward[0]) };
  },
};

/** Rules of one chain from `iptables -S` / `iptables-save` text. */
export function parseChain(text: string, chain: string): ChainValue {
  const prefix = `-A ${chain} `;
  const exists = text.split('\n').some((l) => l.startsWith(`-N ${chain}`) || l.startsWith(`:${chain} `) || l.startsWith(prefix));
  if (!exists) return { exists: false };
  const rules: ChainRule[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const tok = line.slice(prefix.length).trim().split(/\s+/);
    const rule: ChainRule = { text: line.trim(), target: '', otherMatches: false };
    for (let i = 0; i < tok.length; i++) {
      const t = tok[i];
      const next = tok[i + 1] ?? '';
      if (t === '-i') (rule.inIface = next), i++;
      else if (t === '-j') (rule.target = next), i++;
      else if (t === '--ctstate' || t === '--state') (rule.ctstate = next), i++;
      else if (t === '-m' && (next === 'conntrack' || next === 'state')) i++;
      else if (t === '-m' && next === 'comment') i++;
      else if (t === '--comment') i++;
      else rule.otherMatches = true;
    }
    rules.push(rule);
  }
  return { exists: true, rules };
}

/** `ufw show added`: the rules as they were added (commands), which is what the plan diffs against. */
export const ufwAdded: FactKind<AddedRule[]> = {
  kind: 'ufw.added',
  describe: '`ufw show added`',
  probe: (ex) => sh(ex, 'command -v ufw >/dev/null 2>&1 || { echo "ufw: not installed" >&2; exit 127; }; exec ufw show added'),
  parse(raw) {
    if (raw.t === 'cmd' && raw.exitCode === NOT_INSTALLED) return [];
    const p = cmdProblem(raw, 'ufw show added');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`ufw show added: ${raw.t === 'cmd' ? firstLine(raw.stderr) || `exit ${raw.exitCode}` : ''}`);
    return parseShowAdded(raw.stdout);
  },
};

/** SSH sessions into the host now (peer, local address, interface): the lock-out guard reads them. */
export const sshSessions: FactKind<SshSession[]> = scriptFact({
  kind: 'ssh.sessions',
  describe: 'established SSH sessions (`ss`), with the interface each arrived on',
  script: `${SESSION_PROBE}\ntrue`,
  parse: (out) => parseSessionProbe(out),
});
