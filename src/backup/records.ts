/**
 * Recorded results, read by the gate (checks: last backup age vs dr.rpoHours, last drill age vs
 * dr.drillMaxAgeDays) and exported to Prometheus. Both files are JSON written atomically (0644)
 * under spec.stateDir on the target:
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

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const ts = (iso: string | undefined) => (iso ? Math.round(Date.parse(iso) / 1000) : 0);

/** Prometheus text exposition of a backup record. */
export function backupMetrics(r: BackupRecord): string {
  const lines = [
    '# HELP clawops_backup_last_run_ok 1 when the latest clawops backup run succeeded',
    '# TYPE clawops_backup_last_run_ok gauge',
    `clawops_backup_last_run_ok ${r.ok ? 1 : 0}`,
    '# HELP clawops_backup_last_run_timestamp_seconds end of the latest backup run',
    '# TYPE clawops_backup_last_run_timestamp_seconds gauge',
    `clawops_backup_last_run_timestamp_seconds ${ts(r.finishedAt)}`,
    '# HELP clawops_backup_last_success_timestamp_seconds end of the latest successful backup run (RPO clock)',
    '# TYPE clawops_backup_last_success_timestamp_seconds gauge',
    `clawops_backup_last_success_timestamp_seconds ${ts(r.lastSuccessAt)}`,
    '# HELP clawops_backup_duration_seconds duration of the latest backup run',
    '# TYPE clawops_backup_duration_seconds gauge',
    `clawops_backup_duration_seconds ${(r.durationMs / 1000).toFixed(3)}`,
    '# HELP clawops_backup_bytes_added bytes added to the repository by the latest run, per instance',
    '# TYPE clawops_backup_bytes_added gauge',
    ...r.instances.map((i) => `clawops_backup_bytes_added{instance="${esc(i.name)}"} ${i.bytesAdded ?? 0}`),
    '# HELP clawops_backup_bytes_processed bytes staged and read by the latest run, per instance',
    '# TYPE clawops_backup_bytes_processed gauge',
    ...r.instances.map((i) => `clawops_backup_bytes_processed{instance="${esc(i.name)}"} ${i.bytesProcessed ?? 0}`),
  ];
  if (r.check) {
    lines.push(
      '# HELP clawops_backup_check_ok 1 when the latest restic check (rotating data subset) found no errors',
      '# TYPE clawops_backup_check_ok gauge',
      `clawops_backup_check_ok ${r.check.ok ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function drillMetrics(r: DrillRecord): string {
  const lines = [
    '# HELP clawops_drill_last_run_ok 1 when the latest restore drill passed',
    '# TYPE clawops_drill_last_run_ok gauge',
    `clawops_drill_last_run_ok{instance="${esc(r.instance)}"} ${r.ok ? 1 : 0}`,
    '# HELP clawops_drill_last_success_timestamp_seconds end of the latest passing restore drill',
    '# TYPE clawops_drill_last_success_timestamp_seconds gauge',
    `clawops_drill_last_success_timestamp_seconds{instance="${esc(r.instance)}"} ${ts(r.lastSuccessAt)}`,
  ];
  if (r.rto) {
    lines.push('# HELP clawops_drill_rto_seconds measured recovery time of the latest drill', '# TYPE clawops_drill_rto_seconds gauge', `clawops_drill_rto_seconds{instance="${esc(r.instance)}"} ${r.rto.seconds.toFixed(3)}`);
  }
  if (r.rpo) {
    lines.push('# HELP clawops_drill_snapshot_age_hours age of the drilled snapshot (RPO)', '# TYPE clawops_drill_snapshot_age_hours gauge', `clawops_drill_snapshot_age_hours{instance="${esc(r.instance)}"} ${r.rpo.ageHours.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}
