/**
 * The standby's record: `<stateDir>/backup/standby.json` on the standby (JSON, atomic, root 0600,
 * never a secret), and its Prometheus textfile. `lastSuccessAt` is carried across failed syncs.
 */
import { exposition, gauge, unixSeconds, type Sample } from '../views/prom.ts';

export interface StandbyInstance {
  name: string;
  ok: boolean;
  snapshotId?: string;
  shortId?: string;
  snapshotTime?: string;
  /** the host that took the snapshot (the primary) */
  snapshotHost?: string;
  /** OpenClaw version the primary recorded in the snapshot's manifest */
  snapshotVersion?: string;
  /** the snapshot's age when it went live on the standby, against dr.rpoHours */
  rpo?: { ageHours: number; targetHours: number; ok: boolean };
  /** files checked against the snapshot's manifest */
  verifiedFiles?: number;
  /** entries re-owned to the standby's service user (uids differ between hosts) */
  reowned?: { owners: number; groups: number };
  /** OpenClaw state leases held by another host (the primary's live gateway) removed before the start */
  foreignLeasesCleared?: number;
  /** where the standby's previous state was kept */
  replacedPath?: string;
  baseline?: 'restored' | 'kept';
  health?: { ok: boolean; detail: string };
  durationMs: number;
  error?: string;
}

export interface StandbyRecord {
  schemaVersion: 1;
  kind: 'standby';
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** the standby (uname -n) */
  host: string;
  target: string;
  repository: string;
  instances: StandbyInstance[];
  gate?: { ok: boolean; checks: string[]; pass: number; total: number; blocking: string[]; failOn: string; allowUnknown: boolean };
  /** the failure that stopped the sync (tool error or gate) */
  error?: string;
  lastSuccessAt?: string;
}

export function parseStandbyRecord(text: string | null | undefined): StandbyRecord | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as Partial<StandbyRecord> | null;
    return o && o.kind === 'standby' && o.schemaVersion === 1 ? (o as StandbyRecord) : undefined;
  } catch {
    return undefined;
  }
}

export function standbyMetrics(r: StandbyRecord): string {
  return exposition([
    ...gauge('clawops_standby_last_sync_ok', '1 when the last standby sync restored, went healthy and passed its gate.', [[{}, r.ok ? 1 : 0]]),
    ...gauge('clawops_standby_last_success_timestamp_seconds', 'When the standby last synced successfully.', [[{}, unixSeconds(r.lastSuccessAt)]]),
    ...gauge('clawops_standby_sync_duration_seconds', 'How long the last sync took.', [[{}, (r.durationMs / 1000).toFixed(3)]]),
    ...gauge('clawops_standby_snapshot_age_hours', 'Age of the synced snapshot when it went live (RPO).', r.instances.flatMap((i): Sample[] => (i.rpo ? [[{ instance_name: i.name }, i.rpo.ageHours]] : []))),
  ]);
}

/** Fields of the record shown as they are (everything else is redacted by shape too). */
export const STANDBY_SAFE = [
  'kind', 'startedAt', 'finishedAt', 'host', 'target', 'repository', 'lastSuccessAt', 'instances.*.name', 'instances.*.snapshotId',
  'instances.*.shortId', 'instances.*.snapshotTime', 'instances.*.snapshotHost', 'instances.*.snapshotVersion', 'instances.*.replacedPath',
  'instances.*.baseline', 'gate.checks.*', 'gate.blocking.*', 'gate.failOn',
];
