/**
 * One look of the Tailscale-down SSH fallback (its timer runs `clawops fallback tick`): read
 * Tailscale, decide (state.ts), and on a transition open or close the SSH port in UFW (a rule with
 * its own comment, the only one it ever deletes) and start or put back sshd. Opening is refused,
 * with the reason, unless sshd is key-only with keys in place (sshd.ts). Every transition is
 * returned for the ledger and the alert book. Root's own programs only (tailscale, ufw, sshd,
 * systemctl).
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { sshdReadiness } from './sshd.ts';
import { decide, fallbackRecordPath, parseFallbackRecord, readTailscale, type FallbackRecord } from './state.ts';

export const FALLBACK_COMMENT = 'clawops: tailscale-down ssh fallback';

export type Transition = 'opened' | 'closed' | 'refused' | null;

export interface TickResult {
  record: FallbackRecord;
  transition: Transition;
  /** one line for the journal, the ledger and the alert */
  summary: string;
}

export async function readFallback(ex: Executor, spec: ResolvedSpec): Promise<FallbackRecord> {
  return parseFallbackRecord((await ex.readFile(fallbackRecordPath(spec.stateDir)))?.toString('utf8') ?? null);
}

async function writeFallback(ex: Executor, spec: ResolvedSpec, r: FallbackRecord): Promise<void> {
  await ex.writeFile(fallbackRecordPath(spec.stateDir), `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}

/** Pure: the numbers of `ufw status numbered` rules carrying the fallback's comment, highest first (deleting renumbers the rest). */
export function fallbackRuleNumbers(numbered: string): number[] {
  return numbered.split('\n').flatMap((l) => {
    const m = /^\[\s*(\d+)\]\s.*#\s*(.*?)\s*$/.exec(l);
    return m && m[2] === FALLBACK_COMMENT ? [Number(m[1])] : [];
  }).sort((a, b) => b - a);
}

async function closePort(ex: Executor): Promise<number> {
  let removed = 0;
  // one at a time: each delete renumbers; bounded by the rules there were
  for (let i = 0; i < 8; i++) {
    const [n] = fallbackRuleNumbers((await ex.run(['ufw', 'status', 'numbered'])).stdout);
    if (n === undefined) break;
    await ex.run(['ufw', '--force', 'delete', String(n)]);
    removed++;
  }
  return removed;
}

export async function fallbackTick(ex: Executor, spec: ResolvedSpec, now: Date): Promise<TickResult> {
  const o = spec.access.sshFallback;
  const prev = await readFallback(ex, spec);
  const st = await ex.run(['sh', '-c', 'command -v tailscale >/dev/null 2>&1 || exit 127; exec tailscale status --json'], { allowFailure: true, timeoutMs: 20_000 });
  const ts = readTailscale(st.exitCode, st.stdout, st.stderr);
  // switched off in the spec while open: closed now, nothing left behind
  const { next, action } = o.enabled ? decide(prev, ts, now, o) : { next: { ...prev, tailscale: ts.detail }, action: prev.open ? 'close' as const : 'none' as const };
  let transition: Transition = null;
  let summary = `tailscale ${ts.detail}; port ${next.open ? `${next.port} open since ${next.openedAt}` : 'closed'}`;
  if (action === 'open') {
    const ready = await sshdReadiness(ex, spec);
    if (ready.problems.length > 0) {
      const why = `Tailscale down since ${next.downSince}, but sshd is not safe to open: ${ready.problems.join('; ')}`;
      transition = next.refused === why ? null : 'refused';
      next.refused = why;
      summary = `fallback refused: ${why}`;
    } else {
      const active = (await ex.run(['systemctl', 'is-active', '--quiet', '--', ready.unit], { allowFailure: true })).exitCode === 0;
      // the record first: a tick killed after the rule still knows to close it, and what sshd was
      Object.assign(next, { open: true, openedAt: now.toISOString(), port: ready.port, sshdWasActive: active, refused: null, upSince: null });
      await writeFallback(ex, spec, next);
      await ex.run(['ufw', 'allow', `${ready.port}/tcp`, 'comment', FALLBACK_COMMENT]);
      if (!active) await ex.run(['systemctl', 'start', '--', ready.unit], { timeoutMs: 60_000 });
      transition = 'opened';
      summary = `SSH fallback OPEN: port ${ready.port}/tcp opened in UFW (key-only sshd; keys for ${ready.keyUsers.join(', ')}) because Tailscale is down since ${next.downSince} (${ts.detail})`;
    }
  } else if (action === 'close') {
    const removed = await closePort(ex);
    const unit = (await sshdReadiness(ex, spec)).unit;
    if (prev.sshdWasActive === false) await ex.run(['systemctl', 'stop', '--', unit], { timeoutMs: 60_000, allowFailure: true });
    transition = 'closed';
    summary = `SSH fallback closed: Tailscale back since ${next.upSince} (${ts.detail}); ${removed} UFW rule(s) removed${prev.sshdWasActive === false ? `, ${unit} stopped again` : ''}`;
    Object.assign(next, { open: false, openedAt: null, port: null, sshdWasActive: null, downSince: null, upSince: null });
  }
  await writeFallback(ex, spec, next);
  return { record: next, transition, summary };
}
