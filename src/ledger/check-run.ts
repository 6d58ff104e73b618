/**
 * A check run (a timer's, an operator's on the host, or a unit event) into the host's ledger, with
 * the evidence bundle of each incident it opens: the check's evidence and remediation, and for an
 * instance's check the last lines of its gateway's journal, read before the write (a journal read
 * happens only for an incident about to open, never on a run that changes nothing).
 */
import type { CheckResult } from '../checks/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { burninPolicy, recordOnHost } from './host.ts';
import { readBurnin } from './query.ts';
import { criticalFailures, incidentCandidates, recordRun, resultKey, type GatewaySample, type RunRecorded } from './record.ts';

const JOURNAL_LINES = 40;

export interface CheckRunInput {
  now: Date;
  profile: string;
  gate: 'pass' | 'fail';
  results: readonly CheckResult[];
  durationMs: number;
  /** the command that held the host lock while the run probed (see RunInput.duringChange) */
  duringChange?: string;
  /** each gateway's numbers (a health run) */
  gateway?: readonly GatewaySample[];
  /** an operator's read-only check: recorded only on a host that has a ledger already */
  onlyIfThere?: boolean;
}

export interface CheckRunRecorded extends RunRecorded {
  openIncidents: number;
  burninDays: number;
  burninTarget: number;
}

export async function recordCheckRun(ex: Executor, spec: ResolvedSpec, run: CheckRunInput): Promise<{ recorded?: CheckRunRecorded; notes: string[] }> {
  const o = { onlyIfThere: run.onlyIfThere ?? false };
  // which failures would open an incident (their journal is read first): a quiet run opens the ledger once
  const mayOpen = !run.duringChange && criticalFailures(run.results).some((r) => r.status === 'fail');
  const pre = mayOpen ? recordOnHost(ex, spec, run.now, (l) => incidentCandidates(l, run.results), o) : { notes: [] as string[] };
  const bundles = new Map<string, string>();
  for (const r of pre.value ?? []) {
    const inst = r.instance ? spec.resolved.find((i) => i.name === r.instance) : undefined;
    if (!inst) continue;
    const j = await ex.run(['journalctl', '-u', inst.unit, '-n', String(JOURNAL_LINES), '--no-pager', '-o', 'short-iso'], { allowFailure: true, timeoutMs: 15_000 }).catch(() => null);
    if (j?.stdout.trim()) bundles.set(resultKey(r), j.stdout.trim());
  }
  const r = recordOnHost(ex, spec, run.now, (l) => ({
    ...recordRun(l, { at: run.now, profile: run.profile, gate: run.gate, results: run.results, durationMs: run.durationMs, bundles, ...(run.duringChange ? { duringChange: run.duringChange } : {}), ...(run.gateway ? { gateway: run.gateway } : {}) }),
    // what the ledger holds now, for the textfile
    openIncidents: (l.db.prepare('SELECT count(*) AS n FROM incidents WHERE resolved_at IS NULL').get() as { n: number }).n,
    burninDays: readBurnin(l, burninPolicy(spec), run.now).streak,
    burninTarget: spec.burnIn.days,
  }), o);
  return { ...(r.value ? { recorded: r.value } : {}), notes: [...pre.notes, ...r.notes] };
}
