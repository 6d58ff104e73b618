/**
 * Reads of the ledger for burn-in, incidents and `clawops status`, and the two writes an operator
 * makes by hand (ack, resolve). Times in rows are epoch milliseconds; what leaves here is ISO 8601.
 */
import { ClawopsError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import { burninStatus, judgeDay, type BurninInput, type BurninStatus, type DayVerdict, type HealthDay } from './burnin.ts';
import { write, type Ledger } from './db.ts';
import { utcDay } from './record.ts';

const DAY_MS = 86_400_000;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface BurninPolicy {
  days: number;
  maxGapMinutes: number;
  backupRequired: boolean;
}

export function readBurnin(l: Ledger, p: BurninPolicy, now: Date, lookbackDays = 60): BurninStatus {
  return burninStatus(burninInput(l, p, now, lookbackDays));
}

/** Every one of the last `days` days judged (oldest first, today last): the report's calendar. */
export function burninCalendar(l: Ledger, p: BurninPolicy, now: Date, days: number): DayVerdict[] {
  const input = burninInput(l, p, now, days);
  const todayStart = Date.parse(`${utcDay(now.getTime())}T00:00:00Z`);
  const out: DayVerdict[] = [];
  for (let n = days - 1; n >= 1; n--) out.push(judgeDay(utcDay(todayStart - n * DAY_MS), todayStart - (n - 1) * DAY_MS, input));
  out.push(judgeDay(utcDay(now.getTime()), now.getTime(), input));
  return out;
}

function burninInput(l: Ledger, p: BurninPolicy, now: Date, lookbackDays: number): BurninInput {
  const since = Date.parse(`${utcDay(now.getTime() - lookbackDays * DAY_MS)}T00:00:00Z`);
  const health = new Map<string, HealthDay>();
  for (const r of l.db.prepare(`SELECT day, runs, failed_runs, first_at, last_at, max_gap_ms FROM daily WHERE profile = 'health' AND day >= ?`).all(utcDay(since)) as {
    day: string; runs: number; failed_runs: number; first_at: number | null; last_at: number | null; max_gap_ms: number;
  }[]) {
    health.set(r.day, { runs: r.runs, failedRuns: r.failed_runs, firstAt: r.first_at, lastAt: r.last_at, maxGapMs: r.max_gap_ms });
  }
  const critical = new Map<string, number>();
  const bump = (at: number) => critical.set(utcDay(at), (critical.get(utcDay(at)) ?? 0) + 1);
  for (const r of l.db.prepare(`SELECT opened_at AS at FROM incidents WHERE severity = 'critical' AND opened_at >= ?`).all(since) as { at: number }[]) bump(r.at);
  // a critical check that turned failing without opening a new incident (its incident was still open)
  for (const r of l.db.prepare(`SELECT t.at FROM transitions t WHERE t.severity = 'critical' AND t.to_status = 'fail' AND t.at >= ?
      AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.key = t.key AND i.opened_at = t.at)`).all(since) as { at: number }[]) bump(r.at);
  const backups = new Set((l.db.prepare(`SELECT at FROM events WHERE kind = 'backup' AND ok = 1 AND at >= ?`).all(since) as { at: number }[]).map((r) => utcDay(r.at)));
  return { now, days: p.days, maxGapMs: p.maxGapMinutes * 60_000, backupRequired: p.backupRequired, health, critical, backups, lookbackDays };
}

export interface IncidentRow {
  id: number;
  key: string;
  check: string;
  instance: string | null;
  severity: string;
  title: string;
  state: 'open' | 'acknowledged' | 'resolved';
  openedAt: string;
  lastSeenAt: string;
  clearedAt: string | null;
  ackedAt: string | null;
  ackNote: string | null;
  resolvedAt: string | null;
  resolveNote: string | null;
  occurrences: number;
}

export interface IncidentDetail extends IncidentRow {
  evidence: unknown;
}

interface RawIncident {
  id: number; key: string; check_id: string; instance: string | null; severity: string; title: string; opened_at: number; last_seen_at: number;
  cleared_at: number | null; acked_at: number | null; ack_note: string | null; resolved_at: number | null; resolve_note: string | null; occurrences: number; evidence: string;
}

function toRow(r: RawIncident): IncidentRow {
  return {
    id: r.id, key: r.key, check: r.check_id, instance: r.instance, severity: r.severity, title: r.title,
    state: r.resolved_at !== null ? 'resolved' : r.acked_at !== null ? 'acknowledged' : 'open',
    openedAt: iso(r.opened_at)!, lastSeenAt: iso(r.last_seen_at)!, clearedAt: iso(r.cleared_at), ackedAt: iso(r.acked_at), ackNote: r.ack_note,
    resolvedAt: iso(r.resolved_at), resolveNote: r.resolve_note, occurrences: r.occurrences,
  };
}

export function listIncidents(l: Ledger, o: { all: boolean; limit: number }): IncidentRow[] {
  const where = o.all ? '' : 'WHERE resolved_at IS NULL';
  return (l.db.prepare(`SELECT * FROM incidents ${where} ORDER BY id DESC LIMIT ?`).all(o.limit) as unknown as RawIncident[]).map(toRow);
}

export function showIncident(l: Ledger, id: number): IncidentDetail {
  const r = l.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as unknown as RawIncident | undefined;
  if (!r) throw new ClawopsError(`no incident ${id} in ${l.path}`, { hint: 'list them with `clawops incident list --all`' });
  let evidence: unknown;
  try {
    evidence = JSON.parse(r.evidence);
  } catch {
    evidence = r.evidence;
  }
  return { ...toRow(r), evidence };
}

/** ack: someone is on it (the incident stays open); resolve: it is over. Both keep the note; resolving twice is refused. */
export function updateIncident(l: Ledger, id: number, action: 'ack' | 'resolve', note: string, now: Date): IncidentRow {
  const current = showIncident(l, id);
  if (current.state === 'resolved') throw new ClawopsError(`incident ${id} was resolved at ${current.resolvedAt}`, { hint: 'nothing to do; `clawops incident list` shows the open ones' });
  const text = redact(note).slice(0, 4000);
  write(l, () => {
    if (action === 'ack') l.db.prepare('UPDATE incidents SET acked_at = ?, ack_note = ? WHERE id = ?').run(now.getTime(), text, id);
    else l.db.prepare('UPDATE incidents SET resolved_at = ?, resolve_note = ? WHERE id = ?').run(now.getTime(), text, id);
  });
  return showIncident(l, id);
}

export interface LastEvent {
  kind: string;
  at: string;
  ok: boolean;
  summary: string;
}

export function lastEvents(l: Ledger, kinds: readonly string[]): LastEvent[] {
  const q = l.db.prepare('SELECT kind, at, ok, summary FROM events WHERE kind = ? ORDER BY at DESC LIMIT 1');
  return kinds.flatMap((k) => {
    const r = q.get(k) as { kind: string; at: number; ok: number; summary: string } | undefined;
    return r ? [{ kind: r.kind, at: iso(r.at)!, ok: r.ok === 1, summary: r.summary }] : [];
  });
}

export interface LedgerStats {
  path: string;
  bytes: number;
  runs: number;
  oldestRun: string | null;
  days: number;
  openIncidents: number;
}

export function ledgerStats(l: Ledger): LedgerStats {
  const one = <T>(sql: string): T => l.db.prepare(sql).get() as T;
  const size = one<{ n: number }>('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()').n;
  const runs = one<{ n: number; oldest: number | null }>('SELECT count(*) AS n, min(at) AS oldest FROM runs');
  return {
    path: l.path,
    bytes: size,
    runs: runs.n,
    oldestRun: iso(runs.oldest),
    days: one<{ n: number }>('SELECT count(DISTINCT day) AS n FROM daily').n,
    openIncidents: one<{ n: number }>('SELECT count(*) AS n FROM incidents WHERE resolved_at IS NULL').n,
  };
}

export interface LastRun {
  profile: string;
  at: string;
  gate: string;
  pass: number;
  warn: number;
  fail: number;
  unknown: number;
  durationMs: number;
}

/** The newest run of each profile. */
export function lastRuns(l: Ledger): LastRun[] {
  const rows = l.db.prepare(`SELECT r.profile, r.at, r.gate, r.pass, r.warn, r.fail, r.unknown, r.duration_ms FROM runs r
    JOIN (SELECT profile, max(at) AS at FROM runs GROUP BY profile) m ON m.profile = r.profile AND m.at = r.at ORDER BY r.profile`).all() as {
    profile: string; at: number; gate: string; pass: number; warn: number; fail: number; unknown: number; duration_ms: number;
  }[];
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.profile) && seen.add(r.profile)).map((r) => ({
    profile: r.profile, at: iso(r.at)!, gate: r.gate, pass: r.pass, warn: r.warn, fail: r.fail, unknown: r.unknown, durationMs: r.duration_ms,
  }));
}
