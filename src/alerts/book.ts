/**
 * The alert book: which alerts are firing, since when, and when each was last sent. Pure: a check
 * run's results and the previous book in, the next book and the events to deliver out.
 *   - a failing (or unknown) check at or above the alerting severity opens an alert: `firing`;
 *   - while it keeps failing nothing is sent, until `remindHours` after the last send: `reminder`;
 *   - when it passes (or is waived or skipped) again: `resolved`, and the alert leaves the book.
 * Only the checks the run evaluated are judged: a profile never resolves another profile's alerts.
 */
import type { CheckResult } from '../checks/types.ts';

export type AlertKind = 'firing' | 'reminder' | 'resolved';

export interface AlertEvent {
  /** stable identity: host, instance ("-" for host checks), check id */
  key: string;
  kind: AlertKind;
  host: string;
  instance: string | null;
  check: string;
  severity: 'critical' | 'warn';
  title: string;
  /** fail or unknown while firing, the new status when resolved */
  status: string;
  evidence: string;
  remediation: string;
  firstSeen: string;
  at: string;
}

/** An alert the book holds while it fails: the event's fields but what each send sets, and when it was last sent. */
export type OpenAlert = Omit<AlertEvent, 'kind' | 'at'> & { lastSent: string };

export interface AlertBook {
  version: 1;
  open: Record<string, OpenAlert>;
}

export const EMPTY_BOOK: AlertBook = { version: 1, open: {} };

export interface BookPolicy {
  host: string;
  now: Date;
  remindHours: number;
  minSeverity: 'warn' | 'critical';
}

export const alertKey = (host: string, instance: string | null | undefined, check: string): string => `${host}/${instance ?? '-'}/${check}`;

const firingStatus = (r: CheckResult): boolean => r.status === 'fail' || r.status === 'unknown';

export function nextBook(prev: AlertBook, results: readonly CheckResult[], p: BookPolicy): { book: AlertBook; events: AlertEvent[] } {
  const at = p.now.toISOString();
  const open: Record<string, OpenAlert> = { ...prev.open };
  const events: AlertEvent[] = [];
  const event = ({ lastSent: _sent, ...a }: OpenAlert, kind: AlertKind): AlertEvent => ({ ...a, kind, at });
  for (const r of results) {
    const key = alertKey(p.host, r.instance, r.id);
    const was = open[key];
    const severity = r.severity === 'critical' || r.severity === 'warn' ? r.severity : null;
    const alerting = firingStatus(r) && severity !== null && (p.minSeverity === 'warn' || severity === 'critical');
    if (!alerting) {
      if (was) {
        events.push(event({ ...was, status: r.status, evidence: r.evidence }, 'resolved'));
        delete open[key];
      }
      continue;
    }
    const now: OpenAlert = {
      key, host: p.host, instance: r.instance ?? null, check: r.id, severity: severity!, title: r.title,
      status: r.status, evidence: r.evidence, remediation: r.remediation, firstSeen: was?.firstSeen ?? at, lastSent: was?.lastSent ?? at,
    };
    if (!was) {
      events.push(event(now, 'firing'));
    } else if (p.now.getTime() - Date.parse(was.lastSent) >= p.remindHours * 3_600_000) {
      now.lastSent = at;
      events.push(event(now, 'reminder'));
    }
    open[key] = now;
  }
  return { book: { version: 1, open }, events };
}

/** A book read back from disk (parsed JSON): null when it is not one (the caller starts anew and says so). */
export function asBook(v: unknown): AlertBook | null {
  const b = v as Partial<AlertBook> | null;
  if (b === null || typeof b !== 'object' || b.version !== 1 || typeof b.open !== 'object' || b.open === null) return null;
  return { version: 1, open: b.open };
}

export function parseBook(text: string): AlertBook | null {
  try {
    return asBook(JSON.parse(text));
  } catch {
    return null;
  }
}
