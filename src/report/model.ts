/**
 * The report's data: one go-live gate run (grouped by area), what the host's ledger says about the
 * last N days (burn-in calendar, incidents, plots), sign-off and the frozen items, versions. The
 * HTML page (html.ts) and `--json` render this same object. Every string in it went through the
 * secret redaction; `redactHosts` also hides the host's name and its addresses.
 */
import type { CheckResult, Severity, Status } from '../checks/types.ts';
import { AREAS } from '../checks/types.ts';
import { redactValue } from '../core/redact.ts';
import type { Ledger } from '../ledger/db.ts';
import type { FrozenRecord } from '../ledger/frozen.ts';
import { burninCalendar, listIncidents, readBurnin, type BurninPolicy, type IncidentRow } from '../ledger/query.ts';
import type { DayVerdict } from '../ledger/burnin.ts';
import { readSeries, type LedgerSeries } from '../ledger/series.ts';
import type { CheckReport } from '../views/check-report.ts';

export const REPORT_SCHEMA_VERSION = 1;
const DAY_MS = 86_400_000;

export interface ReportCheck {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  instance?: string;
  evidence: string;
  remediation: string;
  waiver?: { reason: string; expires: string; expired: boolean };
}

export interface ReportData {
  schemaVersion: 1;
  generatedAt: string;
  host: string;
  target: string;
  days: number;
  gate: {
    profile: string;
    startedAt: string;
    result: 'pass' | 'fail';
    counts: Record<Status, number>;
    blocking: number;
    areas: { area: string; checks: ReportCheck[] }[];
  };
  waivers: { id: string; instance?: string; reason: string; expires: string; expired: boolean }[];
  burnin: { streak: number; target: number; complete: boolean; days: DayVerdict[] };
  incidents: IncidentRow[];
  signoff: { at: string; by: string; frozen: { item: string; digest: string }[] } | null;
  targets: { rpoHours: number; rtoHours: number };
  series: LedgerSeries;
  versions: { clawops: string; openclaw: string | null; node: string | null; knownGood: { instance: string; version: string; recordedAt: string | null }[]; lastUpgrade: { at: string; ok: boolean; summary: string } | null };
  /** the host's exposure in a few lines: the checks that say it (unit exposure, listeners, firewall) */
  exposure: { id: string; status: Status; evidence: string }[];
}

export interface ReportInput {
  now: Date;
  host: string;
  check: CheckReport;
  ledger: Ledger;
  burnin: BurninPolicy;
  targets: { rpoHours: number; rtoHours: number };
  clawopsVersion: string;
  knownGood: { instance: string; version: string; recordedAt: string | null }[];
  frozen: FrozenRecord | undefined;
  /** how many days the calendar and the plots cover (default 30) */
  days?: number;
  redactHosts?: boolean;
}

const EXPOSURE = /^(service\.exposure|monitoring\.timers-exposure|network\.|firewall\.ufw\.(active|incoming|allow-rules)|firewall\.docker-user$)/;

export function buildReport(i: ReportInput): ReportData {
  const days = i.days ?? 30;
  const to = i.now.getTime();
  const from = Date.parse(`${new Date(to - (days - 1) * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`);
  const results = i.check.results;
  const burnin = readBurnin(i.ledger, i.burnin, i.now);
  const incidents = listIncidents(i.ledger, { all: true, limit: 500 }).filter((x) => x.resolvedAt === null || Date.parse(x.openedAt) >= from || Date.parse(x.resolvedAt) >= from);
  const upgrade = i.ledger.db.prepare('SELECT at, ok, summary FROM events WHERE kind IN (\'upgrade\', \'rollback\') ORDER BY at DESC LIMIT 1').get() as { at: number; ok: number; summary: string } | undefined;
  const version = (id: string): string | null => {
    const r = results.find((x) => x.id === id);
    return r && r.status !== 'unknown' ? (/\bv?(\d+\.\d+\.\d+)\b/.exec(r.evidence)?.[1] ?? null) : null;
  };
  const data: ReportData = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: i.now.toISOString(),
    host: i.host,
    target: i.check.target,
    days,
    gate: {
      profile: i.check.profile,
      startedAt: i.check.startedAt,
      result: i.check.summary.gate,
      counts: i.check.summary.byStatus,
      blocking: i.check.summary.blocking,
      areas: AREAS.map((area) => ({ area, checks: results.filter((r) => r.area === area).map(reportCheck) })).filter((a) => a.checks.length > 0),
    },
    waivers: results.filter((r) => r.waiver).map((r) => ({ id: r.id, ...(r.instance ? { instance: r.instance } : {}), ...r.waiver! })),
    burnin: { streak: burnin.streak, target: burnin.target, complete: burnin.complete, days: burninCalendar(i.ledger, i.burnin, i.now, days) },
    incidents,
    signoff: i.frozen ? { at: i.frozen.signedOffAt, by: i.frozen.by, frozen: Object.entries(i.frozen.digests).map(([item, digest]) => ({ item, digest })) } : null,
    targets: i.targets,
    series: readSeries(i.ledger, from, to),
    versions: {
      clawops: i.clawopsVersion,
      openclaw: version('host.openclaw.version'),
      node: version('host.node.version'),
      knownGood: i.knownGood,
      lastUpgrade: upgrade ? { at: new Date(upgrade.at).toISOString(), ok: upgrade.ok === 1, summary: upgrade.summary } : null,
    },
    exposure: results.filter((r) => EXPOSURE.test(r.id)).map((r) => ({ id: r.instance ? `${r.id}[${r.instance}]` : r.id, status: r.status, evidence: r.evidence })),
  };
  const safe = redactValue(data);
  return i.redactHosts ? hideHosts(safe, i.host) : safe;
}

function reportCheck(r: CheckResult): ReportCheck {
  return {
    id: r.id, title: r.title, severity: r.severity, status: r.status, evidence: r.evidence, remediation: r.remediation,
    ...(r.instance ? { instance: r.instance } : {}), ...(r.waiver ? { waiver: r.waiver } : {}),
  };
}

const IPV4 = /\b(?!127\.)(?:\d{1,3}\.){3}\d{1,3}\b/g;
// a run of hex groups with two or more colons; an address has "::" or a hex letter (a time like 12:30:45 has neither)
const IPV6 = /(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi;
const isIpv6 = (m: string): boolean => m !== '::1' && (m.includes('::') || /[a-f]/i.test(m));

/** Every string with the host's name and its addresses (not loopback) replaced. */
export function hideHosts<T>(value: T, host: string): T {
  const name = host ? new RegExp(`\\b${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi') : undefined;
  const hide = (s: string): string => {
    let out = name ? s.replace(name, '[host]') : s;
    out = out.replace(IPV4, '[address]').replace(IPV6, (m) => (isIpv6(m) ? '[address]' : m));
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return hide(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
