/**
 * Recorded results, read by the gate (checks: last backup age vs dr.rpoHours, last drill age vs
 * dr.drillMaxAgeDays) and exported to Prometheus. Both files are JSON written atomically (root
 * 0600, no secret: the repository without its userinfo) under spec.stateDir on the target:
 *
 *   <stateDir>/backup/last.json   BackupRecord: the latest `clawops backup run`, ok or not.
 *                                 `lastSuccessAt` carries the time of the latest successful run
 *                                 forward across failed runs (the RPO clock).
 *   <stateDir>/backup/drill.json  DrillRecord: the latest `clawops drill`; `lastSuccessAt` likewise.
 *
 * Times are ISO 8601 UTC. `schemaVersion` changes only with an incompatible change. Read them
 * with `parseBackupRecord` / `parseDrillRecord` (they never throw: undefined when absent/invalid).
 * Metrics: <monitoring.textfileDir>/clawops_backup.prom and clawops_drill.prom.
 */
import { exposition, gauge, unixSeconds, type Labels, type Sample } from '../views/prom.ts';
import type { CheckResult } from './restic-parse.ts';

export interface InstanceBackup {
  name: string;
  ok: boolean;
  snapshotId?: string;
  shortId?: string;
  /** bytes new to the repository after dedup */
  bytesAdded?: number;
  /** bytes staged and read by restic */
  bytesProcessed?: number;
  files?: number;
  /** SQLite databases captured with the online backup */
  sqlite?: number;
  manifestDigest?: string;
  durationMs: number;
  error?: string;
}

export interface BackupRecord {
  schemaVersion: 1;
  kind: 'backup';
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  host: string;
  repository: string;
  /** set when this run created the repository */
  initializedRepository?: boolean;
  instances: InstanceBackup[];
  retention?: { ok: boolean; kept: number; removed: number; skipped?: string; error?: string };
  check?: CheckResult & { durationMs: number };
  /** the error that failed the run (one line) */
  error?: string;
  /** finishedAt of the latest successful run (this one when ok) */
  lastSuccessAt?: string;
}

export type StepStatus = 'pass' | 'fail' | 'skipped';

export interface DrillStep {
  name: 'restore' | 'verify' | 'integrity' | 'gateway';
  status: StepStatus;
  durationMs: number;
  detail: string;
}

export interface DrillRecord {
  schemaVersion: 1;
  kind: 'drill';
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  host: string;
  instance: string;
  snapshotId?: string;
  snapshotTime?: string;
  /** snapshot age at drill time against dr.rpoHours */
  rpo?: { ageHours: number; targetHours: number; ok: boolean };
  /** measured restore + verify + integrity + gateway start against dr.rtoHours */
  rto?: { seconds: number; targetHours: number; ok: boolean };
  steps: DrillStep[];
  error?: string;
  lastSuccessAt?: string;
}

export function parseBackupRecord(text: string | null | undefined): BackupRecord | undefined {
  const o = parseJson(text);
  return o && o.schemaVersion === 1 && o.kind === 'backup' ? (o as unknown as BackupRecord) : undefined;
}

export function parseDrillRecord(text: string | null | undefined): DrillRecord | undefined {
  const o = parseJson(text);
  return o && o.schemaVersion === 1 && o.kind === 'drill' ? (o as unknown as DrillRecord) : undefined;
}

function parseJson(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const o: unknown = JSON.parse(text);
    return o !== null && typeof o === 'object' ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Age in hours of an ISO time at `now`. */
export function ageHours(iso: string, now: Date): number {
  return (now.getTime() - Date.parse(iso)) / 3600_000;
}

/** Prometheus text exposition of a backup record. */
export function backupMetrics(r: BackupRecord): string {
  const per = (v: (i: BackupRecord['instances'][number]) => number): Sample[] => r.instances.map((i) => [{ instance_name: i.name }, v(i)]);
  return exposition([
    ...gauge('clawops_backup_last_run_ok', '1 when the latest clawops backup run succeeded', [[{}, r.ok ? 1 : 0]]),
    ...gauge('clawops_backup_last_run_timestamp_seconds', 'end of the latest backup run', [[{}, unixSeconds(r.finishedAt)]]),
    ...gauge('clawops_backup_last_success_timestamp_seconds', 'end of the latest successful backup run (RPO clock)', [[{}, unixSeconds(r.lastSuccessAt)]]),
    ...gauge('clawops_backup_duration_seconds', 'duration of the latest backup run', [[{}, (r.durationMs / 1000).toFixed(3)]]),
    ...gauge('clawops_backup_bytes_added', 'bytes added to the repository by the latest run, per instance', per((i) => i.bytesAdded ?? 0)),
    ...gauge('clawops_backup_bytes_processed', 'bytes staged and read by the latest run, per instance', per((i) => i.bytesProcessed ?? 0)),
    ...(r.check ? gauge('clawops_backup_check_ok', '1 when the latest restic check (rotating data subset) found no errors', [[{}, r.check.ok ? 1 : 0]]) : []),
  ]);
}

export function drillMetrics(r: DrillRecord): string {
  const at: Labels = { instance_name: r.instance };
  return exposition([
    ...gauge('clawops_drill_last_run_ok', '1 when the latest restore drill passed', [[at, r.ok ? 1 : 0]]),
    ...gauge('clawops_drill_last_success_timestamp_seconds', 'end of the latest passing restore drill', [[at, unixSeconds(r.lastSuccessAt)]]),
    ...(r.rto ? gauge('clawops_drill_rto_seconds', 'measured recovery time of the latest drill', [[at, r.rto.seconds.toFixed(3)]]) : []),
    ...(r.rpo ? gauge('clawops_drill_snapshot_age_hours', 'age of the drilled snapshot (RPO)', [[at, r.rpo.ageHours.toFixed(3)]]) : []),
  ]);
}
