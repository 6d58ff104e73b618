/**
 * The burn-in: consecutive clean days, read from the ledger. A day (UTC) is clean when
 *   - monitoring covered it: health runs from its start to its end with no gap over
 *     burnIn.maxGapMinutes (a gap spanning midnight counts on both days; a day with no health run
 *     at all is a gap);
 *   - every health run passed or only warned (no critical check failed or went unknown);
 *   - no critical incident opened, and no critical check went from passing to failing, that day;
 *   - the daily backup succeeded (when backups are enabled).
 * The run counts completed days backwards from yesterday; today, in progress, never adds a day but
 * resets the run as soon as it is already not clean (an incident this morning is a reset now).
 * Pure: rows in, verdicts out (the clock is a parameter, so tests step days instead of waiting).
 */
import { utcDay } from './record.ts';

const DAY_MS = 86_400_000;

export interface HealthDay {
  runs: number;
  failedRuns: number;
  firstAt: number | null;
  lastAt: number | null;
  maxGapMs: number;
}

export interface BurninInput {
  now: Date;
  days: number;
  maxGapMs: number;
  backupRequired: boolean;
  health: ReadonlyMap<string, HealthDay>;
  /** critical incidents opened and critical checks turned failing, by day */
  critical: ReadonlyMap<string, number>;
  /** days with a successful backup */
  backups: ReadonlySet<string>;
  /** how many days back to look (at least `days`) */
  lookbackDays?: number;
}

export interface DayVerdict {
  day: string;
  clean: boolean;
  reasons: string[];
}

export interface BurninStatus {
  /** consecutive clean days up to yesterday (0 when today is already not clean) */
  streak: number;
  target: number;
  complete: boolean;
  today: DayVerdict;
  /** newest first: the days of the current run and the day that ended the one before */
  days: DayVerdict[];
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

export function judgeDay(day: string, end: number, i: BurninInput): DayVerdict {
  const start = Date.parse(`${day}T00:00:00Z`);
  const reasons: string[] = [];
  const h = i.health.get(day);
  if (!h || h.runs === 0 || h.firstAt === null || h.lastAt === null) {
    // today just began: the first run may not be due yet
    if (end - start > i.maxGapMs) reasons.push('no health run recorded (monitoring gap)');
  } else {
    const gap = Math.max(h.maxGapMs, h.firstAt - start, end - h.lastAt);
    if (gap > i.maxGapMs) reasons.push(`a ${minutes(gap)} gap in health runs (limit ${minutes(i.maxGapMs)})`);
    if (h.failedRuns > 0) reasons.push(`${h.failedRuns} health run(s) with a critical check failing`);
  }
  const c = i.critical.get(day) ?? 0;
  if (c > 0) reasons.push(`${c} critical incident(s) or critical check failure(s)`);
  // today's backup may still be ahead: judged once the day is over
  if (i.backupRequired && end === start + DAY_MS && !i.backups.has(day)) reasons.push('no successful backup');
  return { day, clean: reasons.length === 0, reasons };
}

export function burninStatus(i: BurninInput): BurninStatus {
  const now = i.now.getTime();
  const todayStart = Date.parse(`${utcDay(now)}T00:00:00Z`);
  const today = judgeDay(utcDay(now), now, i);
  const days: DayVerdict[] = [];
  let streak = 0;
  const lookback = Math.max(i.lookbackDays ?? 60, i.days);
  for (let n = 1; n <= lookback; n++) {
    const start = todayStart - n * DAY_MS;
    const v = judgeDay(utcDay(start), start + DAY_MS, i);
    days.push(v);
    if (!v.clean) break;
    streak++;
  }
  if (!today.clean) streak = 0;
  return { streak, target: i.days, complete: streak >= i.days, today, days };
}
