/**
 * Pure decisions of a standby sync: which snapshot, whether the standby's OpenClaw can run it,
 * which go-live checks gate it, how ownership is mapped, which kept states to prune.
 */
import type { Snapshot } from '../backup/restic-parse.ts';
import { backupPaths } from '../backup/plan.ts';
import { ageHours } from '../backup/records.ts';
import { selectChecks } from '../checks/run.ts';
import { compareVersions, parseVersion } from '../openclaw/versions.ts';

/** The sync result, beside the backup and drill records on the standby. */
export function standbyRecordPath(stateDir: string): string {
  return `${backupPaths(stateDir).dir}/standby.json`;
}
export const STANDBY_PROM = 'clawops_standby.prom';

/**
 * Go-live checks about the primary's duties, not the standby's: its backups and drills. The
 * standby's freshness is the synced snapshot's age against dr.rpoHours, in the sync record.
 */
export const PRIMARY_ONLY_CHECKS = ['backup.recent', 'backup.drill'] as const;

/** The check ids the standby's gate runs: the ones asked for, else go-live minus PRIMARY_ONLY_CHECKS. */
export function gateChecks(only?: readonly string[]): string[] {
  if (only) return [...only];
  return selectChecks('go-live').map((c) => c.id).filter((id) => !(PRIMARY_ONLY_CHECKS as readonly string[]).includes(id));
}

export type SnapshotPick = { ok: true; snapshot: Snapshot; skippedOwn: number } | { ok: false; message: string; hint: string };

/**
 * The newest snapshot of `instance` (snapshots as `restic snapshots --tag clawops,instance=X`
 * lists them), never one the standby took itself (its own backups would restore the standby onto
 * itself), and only from `fromHost` when given.
 */
export function pickSnapshot(snaps: readonly Snapshot[], o: { instance: string; standbyHost: string; fromHost?: string; repository: string }): SnapshotPick {
  const mine = snaps.filter((s) => s.tags.includes(`instance=${o.instance}`));
  const own = mine.filter((s) => s.hostname === o.standbyHost);
  const eligible = mine.filter((s) => s.hostname !== o.standbyHost && (o.fromHost === undefined || s.hostname === o.fromHost));
  const newest = [...eligible].sort((a, b) => a.time.localeCompare(b.time)).pop();
  if (newest) return { ok: true, snapshot: newest, skippedOwn: own.length };
  const hosts = [...new Set(mine.map((s) => s.hostname))];
  const why = mine.length === 0
    ? `no clawops snapshot of instance ${o.instance} in ${o.repository}`
    : `no snapshot of instance ${o.instance} from ${o.fromHost ? `host ${o.fromHost}` : 'another host'} in ${o.repository} (snapshots from: ${hosts.join(', ')})`;
  return {
    ok: false,
    message: why,
    hint: mine.length === 0
      ? 'run `clawops backup run` on the primary first, and check that the standby sees the same backup.repository'
      : o.fromHost ? `check --from-host (the primary's \`uname -n\`): one of ${hosts.join(', ')}` : 'the standby ignores its own snapshots: run `clawops backup run` on the primary',
  };
}

/**
 * Why the standby must not run a snapshot, or undefined. OpenClaw's state migrations are
 * forward-only: a state written by a newer OpenClaw cannot be run by an older one.
 */
export function versionProblem(snapshotVersion: string | undefined, standbyVersion: string): { message: string; hint: string } | undefined {
  if (!snapshotVersion || !parseVersion(snapshotVersion) || !parseVersion(standbyVersion)) return undefined;
  if (compareVersions(snapshotVersion, standbyVersion) <= 0) return undefined;
  return {
    message: `the snapshot was taken on OpenClaw ${snapshotVersion} but the standby runs ${standbyVersion}: a newer state cannot run on an older gateway (migrations are forward-only)`,
    hint: `upgrade the standby first (clawops upgrade ${snapshotVersion} --target <standby>) and pin openclaw.version: ${snapshotVersion} in the spec`,
  };
}

/** `<stateDir>.replaced-<stamp>` dirs to remove so that only the newest `keep` stay. */
export function replacedToPrune(paths: readonly string[], stateDir: string, keep: number): string[] {
  const prefix = `${stateDir}.replaced-`;
  const mine = paths.filter((p) => p.startsWith(prefix) && /^\d{8}T\d{6}Z?$/.test(p.slice(prefix.length))).sort();
  return mine.slice(0, Math.max(0, mine.length - keep));
}

export function rpoOf(snapshotTime: string, now: Date, targetHours: number): { ageHours: number; targetHours: number; ok: boolean } {
  const age = Math.max(0, ageHours(snapshotTime, now));
  return { ageHours: Math.round(age * 1000) / 1000, targetHours, ok: age <= targetHours };
}
