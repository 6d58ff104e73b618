/**
 * Containment's network cut: the service users' outbound traffic goes through one chain,
 * CLAWOPS-CONTAIN, that lets it out only on the management interfaces and rejects the rest (IPv4
 * and IPv6; rejected, not dropped, so a process gets an error at once instead of waiting). The
 * chain is jumped to from the top of OUTPUT with an owner match per uid, ahead of UFW's chains,
 * which a `ufw reload` leaves alone. Pure rule text here; `applyCut`/`removeCut` run it, each
 * idempotent: a rule already in place is not added again, and lift removes every jump to the chain,
 * whatever uid it names.
 */
import type { Executor } from '../exec/types.ts';

export const CONTAIN_CHAIN = 'CLAWOPS-CONTAIN';
export const IPTABLES = ['iptables', 'ip6tables'] as const;
type Table = (typeof IPTABLES)[number];

/** The chain's rules as `iptables -S` prints them (without REJECT's default --reject-with). */
export const chainRules = (ifaces: readonly string[]): string[] => [
  ...ifaces.map((i) => `-A ${CONTAIN_CHAIN} -o ${i} -j RETURN`),
  `-A ${CONTAIN_CHAIN} -j REJECT`,
];

export const jumpRule = (uid: number): string => `-A OUTPUT -m owner --uid-owner ${uid} -j ${CONTAIN_CHAIN}`;

/** Pure: `iptables -S CHAIN` output, as comparable rules. */
export const normalizeRules = (s: string): string[] =>
  s.split('\n').map((l) => l.trim().replace(/ --reject-with icmp6?-port-unreachable$/, '')).filter((l) => l.startsWith('-A '));

/** Pure: the jumps to the chain in `iptables -S OUTPUT` output. */
export const jumpsIn = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('-A OUTPUT ') && l.endsWith(` -j ${CONTAIN_CHAIN}`));

const split = (rule: string): string[] => rule.split(' ');

async function has(ex: Executor, t: Table): Promise<boolean> {
  return (await ex.run(['sh', '-c', 'command -v "$1" >/dev/null', 'sh', t], { allowFailure: true })).exitCode === 0;
}

export interface CutResult {
  table: Table;
  changed: boolean;
  /** why this table was left alone (not installed, and that protocol is off) */
  skipped?: string;
  /** why this table's part failed (the other table's still ran) */
  failed?: string;
}

/** Without ip6tables the cut is whole only when the host has no IPv6 address at all. */
async function missing(ex: Executor, t: Table): Promise<CutResult> {
  if (t === 'ip6tables') {
    const v6 = (await ex.readFile('/proc/net/if_inet6').catch(() => null))?.toString('utf8').trim() ?? '';
    if (v6 !== '') return { table: t, changed: false, failed: 'ip6tables is not installed and the host has IPv6 addresses: IPv6 stays open' };
    return { table: t, changed: false, skipped: 'ip6tables is not installed (no IPv6 on this host)' };
  }
  return { table: t, changed: false, failed: 'iptables is not installed: IPv4 stays open' };
}

async function each(ex: Executor, fn: (t: Table) => Promise<boolean>): Promise<CutResult[]> {
  const out: CutResult[] = [];
  for (const t of IPTABLES) {
    if (!(await has(ex, t))) {
      out.push(await missing(ex, t));
      continue;
    }
    try {
      out.push({ table: t, changed: await fn(t) });
    } catch (err) {
      out.push({ table: t, changed: false, failed: (err as Error).message.split('\n')[0] ?? 'failed' });
    }
  }
  return out;
}

/** Put the cut in place for these uids: the chain exactly as wanted, one jump per uid at the top of OUTPUT. */
export async function applyCut(ex: Executor, uids: readonly number[], ifaces: readonly string[]): Promise<CutResult[]> {
  if (uids.includes(0)) throw new Error('refusing to cut uid 0 (root) off the network');
  return each(ex, async (t) => {
    let changed = false;
    const cur = await ex.run([t, '-w', '-S', CONTAIN_CHAIN], { allowFailure: true });
    const want = chainRules(ifaces);
    if (cur.exitCode !== 0) {
      await ex.run([t, '-w', '-N', CONTAIN_CHAIN]);
      changed = true;
    }
    if (cur.exitCode !== 0 || normalizeRules(cur.stdout).join('\n') !== want.join('\n')) {
      await ex.run([t, '-w', '-F', CONTAIN_CHAIN]);
      for (const r of want) await ex.run([t, '-w', ...split(r)]);
      changed = true;
    }
    const jumps = jumpsIn((await ex.run([t, '-w', '-S', 'OUTPUT'])).stdout);
    for (const uid of uids) {
      if (jumps.includes(jumpRule(uid))) continue;
      await ex.run([t, '-w', '-I', 'OUTPUT', '1', ...split(jumpRule(uid)).slice(2)]);
      changed = true;
    }
    return changed;
  });
}

/** Take the cut out: every jump to the chain, then the chain. */
export async function removeCut(ex: Executor): Promise<CutResult[]> {
  return each(ex, async (t) => {
    let changed = false;
    for (const j of jumpsIn((await ex.run([t, '-w', '-S', 'OUTPUT'])).stdout)) {
      await ex.run([t, '-w', '-D', ...split(j).slice(1)]);
      changed = true;
    }
    if ((await ex.run([t, '-w', '-S', CONTAIN_CHAIN], { allowFailure: true })).exitCode === 0) {
      await ex.run([t, '-w', '-F', CONTAIN_CHAIN]);
      await ex.run([t, '-w', '-X', CONTAIN_CHAIN]);
      changed = true;
    }
    return changed;
  });
}
