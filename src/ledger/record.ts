/**
 * What goes into the ledger, each in one `BEGIN IMMEDIATE` transaction:
 *   - a check run: the run row; its day's summary (runs, runs with a critical failure, the longest
 *     gap between two runs of the profile, marked on every day the gap spans); each check whose
 *     status changed (a transition); and incidents: a critical check that fails opens one (with its
 *     evidence bundle), unless one is open for it already (then it counts another occurrence); a
 *     check that passes again clears its open incident, which stays open until resolved by hand;
 *   - an event: apply, undo, backup, drill, upgrade, rollback, restart, alert delivery, sign-off. A
 *     failed backup or drill opens an incident of its own; a good one clears it.
 * Days are UTC dates. Evidence, summaries and notes are redacted here (core/redact) before they are written.
 */
import type { CheckResult } from '../checks/types.ts';
import { redact } from '../core/redact.ts';
import { getMeta, setMeta, write, type Ledger } from './db.ts';

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

export interface RunInput {
  at: Date;
  profile: string;
  gate: 'pass' | 'fail';
  results: readonly CheckResult[];
  durationMs: number;
  /** extra evidence (a journal excerpt) for checks that open an incident, by result key */
  bundles?: ReadonlyMap<string, string>;
  /**
   * the command that was changing the host while this run probed it (the run waited for its lock):
   * what failed then is the change under way, not an incident, and the day is not judged by it
   */
  duringChange?: string;
  /** each gateway's numbers, read by a health run (restarts, memory, health probe time) */
  gateway?: readonly GatewaySample[];
}

export interface GatewaySample {
  instance: string;
  restarts: number | null;
  memoryBytes: number | null;
  healthProbeMs: number | null;
}

export interface IncidentRef {
  id: number;
  key: string;
  title: string;
}

export interface RunRecorded {
  runId: number;
  transitions: number;
  opened: IncidentRef[];
  cleared: number;
}

export const resultKey = (r: Pick<CheckResult, 'id' | 'instance'>): string => `${r.instance ?? '-'}/${r.id}`;
const failing = (r: CheckResult): boolean => r.status === 'fail' || r.status === 'unknown';
/** a run "passed or only warned": no critical check failed (or could not be verified) */
export const criticalFailures = (results: readonly CheckResult[]): CheckResult[] => results.filter((r) => r.severity === 'critical' && failing(r));

/** The critical failures of a run that would open a new incident (none is open for their key): the caller bundles evidence for these. */
export function incidentCandidates(l: Ledger, results: readonly CheckResult[]): CheckResult[] {
  const open = new Set((l.db.prepare('SELECT key FROM incidents WHERE resolved_at IS NULL').all() as { key: string }[]).map((r) => r.key));
  return criticalFailures(results).filter((r) => r.status === 'fail' && !open.has(resultKey(r)));
}

export function recordRun(l: Ledger, run: RunInput): RunRecorded {
  const at = run.at.getTime();
  return write(l, () => {
    const counts = { pass: 0, warn: 0, fail: 0, unknown: 0 };
    for (const r of run.results) {
      if (r.status === 'pass') counts.pass++;
      else if (r.status === 'unknown') counts.unknown++;
      else if (r.status === 'fail') counts[r.severity === 'critical' ? 'fail' : 'warn']++;
    }
    const critical = criticalFailures(run.results).length;
    const runId = Number(l.db.prepare(`INSERT INTO runs (at, profile, gate, pass, warn, fail, unknown, critical_failed, duration_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(at, run.profile, run.gate, counts.pass, counts.warn, counts.fail, counts.unknown, critical, Math.round(run.durationMs)).lastInsertRowid);
    summarizeDay(l, run.profile, at, critical > 0 && !run.duringChange);
    const sample = l.db.prepare('INSERT INTO samples (at, instance, restarts, memory_bytes, health_ms) VALUES (?, ?, ?, ?, ?)');
    for (const g of run.gateway ?? []) sample.run(at, g.instance, g.restarts, g.memoryBytes, g.healthProbeMs);

    const getState = l.db.prepare('SELECT status FROM check_state WHERE key = ?');
    const putState = l.db.prepare(`INSERT INTO check_state (key, check_id, instance, status, severity, since, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET status = excluded.status, severity = excluded.severity, since = excluded.since, last_at = excluded.last_at`);
    const addTransition = l.db.prepare('INSERT INTO transitions (at, key, check_id, instance, from_status, to_status, severity, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const openFor = l.db.prepare('SELECT id, cleared_at FROM incidents WHERE key = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 1');
    const clear = l.db.prepare('UPDATE incidents SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL');
    let transitions = 0;
    let cleared = 0;
    const opened: IncidentRef[] = [];
    for (const r of run.results) {
      const key = resultKey(r);
      const before = (getState.get(key) as { status: string } | undefined)?.status ?? null;
      if (before !== r.status) {
        putState.run(key, r.id, r.instance ?? null, r.status, r.severity, at, at);
        addTransition.run(at, key, r.id, r.instance ?? null, before, r.status, r.severity, redact(r.evidence).slice(0, 2000));
        transitions++;
      }
      const incident = openFor.get(key) as { id: number; cleared_at: number | null } | undefined;
      if (r.severity === 'critical' && r.status === 'fail') {
        if (run.duringChange) continue;
        // a new failure of a cleared incident is another occurrence of it; a check failing run after run is one
        if (incident && (incident.cleared_at !== null || before !== 'fail')) refire(l, at, incident.id);
        else if (!incident) opened.push(openIncident(l, at, key, r, run.bundles?.get(key)));
      } else if (incident && (r.status === 'pass' || r.status === 'waived' || r.status === 'skipped')) {
        cleared += Number(clear.run(at, incident.id).changes);
      }
    }
    return { runId, transitions, opened, cleared };
  });
}

function openIncident(l: Ledger, at: number, key: string, r: CheckResult, bundle: string | undefined): IncidentRef {
  // what happened, not what the check wants: its evidence's first line
  const title = `${r.id}${r.instance ? `[${r.instance}]` : ''}: ${redact(r.evidence.split('\n')[0] ?? r.title).slice(0, 160)}`;
  const evidence = JSON.stringify({ evidence: redact(r.evidence), remediation: r.remediation, ...(bundle ? { journal: redact(bundle) } : {}) });
  return insertIncident(l, { at, key, check: r.id, instance: r.instance ?? null, severity: r.severity, title, evidence });
}

/** The one writer of an incident row (a check's failure, a failed backup or drill). */
function insertIncident(l: Ledger, i: { at: number; key: string; check: string; instance: string | null; severity: string; title: string; evidence: string }): IncidentRef {
  const id = Number(l.db.prepare(`INSERT INTO incidents (key, check_id, instance, severity, title, opened_at, last_seen_at, evidence)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(i.key, i.check, i.instance, i.severity, i.title, i.at, i.at, i.evidence).lastInsertRowid);
  return { id, key: i.key, title: i.title };
}

/** Another occurrence of an open incident: its condition is back. */
function refire(l: Ledger, at: number, id: number): void {
  l.db.prepare('UPDATE incidents SET occurrences = occurrences + 1, last_seen_at = ?, cleared_at = NULL WHERE id = ?').run(at, id);
}

/** The day rows of one run: counts on its day, and the gap since the profile's previous run on every day it spans. */
function summarizeDay(l: Ledger, profile: string, at: number, failed: boolean): void {
  const metaKey = `last_run:${profile}`;
  const prev = Number(getMeta(l, metaKey) ?? NaN);
  setMeta(l, metaKey, String(Math.max(at, Number.isFinite(prev) ? prev : at)));
  l.db.prepare(`INSERT INTO daily (day, profile, runs, failed_runs, first_at, last_at) VALUES (?, ?, 1, ?, ?, ?)
    ON CONFLICT (day, profile) DO UPDATE SET runs = runs + 1, failed_runs = failed_runs + excluded.failed_runs,
      first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at), last_at = max(coalesce(last_at, excluded.last_at), excluded.last_at)`)
    .run(utcDay(at), profile, failed ? 1 : 0, at, at);
  if (!Number.isFinite(prev) || prev >= at) return;
  const gap = at - prev;
  const mark = l.db.prepare(`INSERT INTO daily (day, profile, runs, failed_runs, max_gap_ms) VALUES (?, ?, 0, 0, ?)
    ON CONFLICT (day, profile) DO UPDATE SET max_gap_ms = max(max_gap_ms, excluded.max_gap_ms)`);
  for (let d = Date.parse(utcDay(prev)); d <= at; d += DAY_MS) mark.run(utcDay(d), profile, gap);
}

export type EventKind = 'apply' | 'undo' | 'backup' | 'drill' | 'upgrade' | 'rollback' | 'restart' | 'alert' | 'signoff' | 'fallback' | 'aide-accept';

export interface EventInput {
  at: Date;
  kind: EventKind;
  ok: boolean;
  summary: string;
  detail?: Record<string, unknown>;
}

/** Events whose failure is an incident of its own (a check's failure opens one through its run). */
const INCIDENT_ON_FAILURE: ReadonlySet<EventKind> = new Set(['backup', 'drill']);

export function recordEvent(l: Ledger, e: EventInput): { id: number; opened?: IncidentRef } {
  const at = e.at.getTime();
  return write(l, () => {
    const id = Number(l.db.prepare('INSERT INTO events (at, kind, ok, summary, detail) VALUES (?, ?, ?, ?, ?)')
      .run(at, e.kind, e.ok ? 1 : 0, redact(e.summary), e.detail ? redact(JSON.stringify(e.detail)) : null).lastInsertRowid);
    if (!INCIDENT_ON_FAILURE.has(e.kind)) return { id };
    const key = `-/${e.kind}.failed`;
    if (e.ok) {
      l.db.prepare('UPDATE incidents SET cleared_at = ? WHERE key = ? AND resolved_at IS NULL AND cleared_at IS NULL').run(at, key);
      return { id };
    }
    const open = l.db.prepare('SELECT id FROM incidents WHERE key = ? AND resolved_at IS NULL').get(key) as { id: number } | undefined;
    if (open) {
      refire(l, at, open.id);
      return { id };
    }
    const evidence = redact(JSON.stringify({ summary: e.summary, ...(e.detail ?? {}) }));
    return { id, opened: insertIncident(l, { at, key, check: `${e.kind}.failed`, instance: null, severity: 'critical', title: `${e.kind} failed: ${redact(e.summary)}`, evidence }) };
  });
}

/**
 * An incident a person or an emergency command opens (not a check's): under `manual.<key>`, so the
 * same key while it is open is that incident again, not a second one.
 */
export function openManualIncident(l: Ledger, i: { at: Date; key: string; title: string; severity: 'critical' | 'warn'; evidence: string }): { id: number; opened: boolean } {
  const key = `-/manual.${i.key}`;
  return write(l, () => {
    const open = l.db.prepare('SELECT id FROM incidents WHERE key = ? AND resolved_at IS NULL').get(key) as { id: number } | undefined;
    if (open) return { id: open.id, opened: false };
    const r = insertIncident(l, { at: i.at.getTime(), key, check: `manual.${i.key}`, instance: null, severity: i.severity, title: redact(i.title), evidence: redact(JSON.stringify({ evidence: i.evidence })) });
    return { id: r.id, opened: true };
  });
}

/** A sign-off: its frozen digests and the event, in one transaction. */
export function recordSignoff(l: Ledger, at: Date, by: string, frozen: Record<string, string>): number {
  return write(l, () => {
    const id = Number(l.db.prepare('INSERT INTO signoffs (at, by, frozen) VALUES (?, ?, ?)').run(at.getTime(), redact(by), JSON.stringify(frozen)).lastInsertRowid);
    l.db.prepare('INSERT INTO events (at, kind, ok, summary, detail) VALUES (?, ?, 1, ?, ?)')
      .run(at.getTime(), 'signoff', redact(`signed off by ${by}: ${Object.keys(frozen).length} items frozen`), JSON.stringify({ signoff: id }));
    return id;
  });
}
