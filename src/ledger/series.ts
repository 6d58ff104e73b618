/**
 * The ledger over time, for the report's plots: each gateway's health probe time, memory and
 * restart counter in at most `buckets` buckets (SQL does the averaging: a year of minute-by-minute
 * samples is read in one grouped scan), check runs and failed runs per day, and every backup and
 * drill with the numbers their events carry.
 */
import { utcDay } from './record.ts';
import type { Ledger } from './db.ts';

const DAY_MS = 86_400_000;

export interface Point {
  /** epoch ms (a bucket's first sample, or the event's time) */
  t: number;
  v: number;
}

export interface GatewaySeries {
  instance: string;
  /** mean /healthz probe time per bucket, ms */
  healthMs: Point[];
  /** highest memory per bucket, bytes */
  memoryBytes: Point[];
  /** systemd's restart counter (NRestarts), highest per bucket */
  restarts: Point[];
}

export interface DayCount {
  day: string;
  runs: number;
  failedRuns: number;
}

export interface BackupPoint {
  t: number;
  ok: boolean;
  bytesAdded: number | null;
  durationMs: number | null;
  /** hours since the previous good backup (null for the first one in the window) */
  ageHours: number | null;
}

export interface DrillPoint {
  t: number;
  ok: boolean;
  rtoSeconds: number | null;
}

export interface LedgerSeries {
  from: number;
  to: number;
  gateways: GatewaySeries[];
  days: DayCount[];
  backups: BackupPoint[];
  drills: DrillPoint[];
}

export function readSeries(l: Ledger, from: number, to: number, buckets = 120): LedgerSeries {
  const width = Math.max(60_000, Math.ceil((to - from) / buckets));
  const rows = l.db.prepare(`SELECT instance, min(at) AS t, avg(health_ms) AS health, max(memory_bytes) AS mem, max(restarts) AS restarts
    FROM samples WHERE at >= ? AND at <= ? GROUP BY instance, CAST((at - ?) / ? AS INTEGER) ORDER BY instance, t`).all(from, to, from, width) as {
    instance: string; t: number; health: number | null; mem: number | null; restarts: number | null;
  }[];
  const byInstance = new Map<string, GatewaySeries>();
  for (const r of rows) {
    let g = byInstance.get(r.instance);
    if (!g) byInstance.set(r.instance, (g = { instance: r.instance, healthMs: [], memoryBytes: [], restarts: [] }));
    if (r.health !== null) g.healthMs.push({ t: r.t, v: Math.round(r.health * 10) / 10 });
    if (r.mem !== null) g.memoryBytes.push({ t: r.t, v: r.mem });
    if (r.restarts !== null) g.restarts.push({ t: r.t, v: r.restarts });
  }
  const daily = new Map<string, DayCount>();
  for (let d = Date.parse(`${utcDay(from)}T00:00:00Z`); d <= to; d += DAY_MS) daily.set(utcDay(d), { day: utcDay(d), runs: 0, failedRuns: 0 });
  for (const r of l.db.prepare('SELECT day, sum(runs) AS runs, sum(failed_runs) AS failed FROM daily WHERE day >= ? AND day <= ? GROUP BY day').all(utcDay(from), utcDay(to)) as { day: string; runs: number; failed: number }[]) {
    daily.set(r.day, { day: r.day, runs: r.runs, failedRuns: r.failed });
  }
  const events = (kind: string) => l.db.prepare('SELECT at, ok, detail FROM events WHERE kind = ? AND at >= ? AND at <= ? ORDER BY at').all(kind, from, to) as { at: number; ok: number; detail: string | null }[];
  const num = (d: Record<string, unknown>, k: string): number | null => (typeof d[k] === 'number' && Number.isFinite(d[k]) ? d[k] : null);
  const detail = (s: string | null): Record<string, unknown> => {
    try {
      const v = s ? (JSON.parse(s) as unknown) : {};
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  // the previous good backup may predate the window: it still sets the first age
  let lastGood = (l.db.prepare('SELECT max(at) AS at FROM events WHERE kind = \'backup\' AND ok = 1 AND at < ?').get(from) as { at: number | null }).at;
  const backups = events('backup').map((e): BackupPoint => {
    const d = detail(e.detail);
    const p = { t: e.at, ok: e.ok === 1, bytesAdded: num(d, 'bytesAdded'), durationMs: num(d, 'durationMs'), ageHours: lastGood === null ? null : Math.round(((e.at - lastGood) / 3_600_000) * 100) / 100 };
    if (p.ok) lastGood = e.at;
    return p;
  });
  const drills = events('drill').map((e): DrillPoint => ({ t: e.at, ok: e.ok === 1, rtoSeconds: num(detail(e.detail), 'rtoSeconds') }));
  return { from, to, gateways: [...byInstance.values()], days: [...daily.values()], backups, drills };
}
