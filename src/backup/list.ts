/** `clawops backup list`: clawops' snapshots with their age against the RPO. */
import { type BackupContext, now, withRestic } from './context.ts';
import { ageHours } from './records.ts';
import { tagValue } from './restic.ts';

export interface SnapshotRow {
  id: string;
  shortId: string;
  time: string;
  host: string;
  instance?: string;
  reason?: string;
  ageHours: number;
}

export interface SnapshotList {
  schemaVersion: 1;
  repository: string;
  rpoHours: number;
  snapshots: SnapshotRow[];
  instances: Array<{ name: string; latest?: string; latestAgeHours?: number; withinRpo: boolean }>;
}

export async function listSnapshots(ctx: BackupContext, instance?: string): Promise<SnapshotList> {
  const at = now(ctx);
  const snaps = await withRestic(ctx, (restic) => restic.snapshots(instance ? { instance } : {}));
  const rows: SnapshotRow[] = snaps.map((s) => {
    const inst = tagValue(s, 'instance');
    const reason = tagValue(s, 'reason');
    return {
      id: s.id, shortId: s.shortId, time: s.time, host: s.hostname,
      ...(inst ? { instance: inst } : {}), ...(reason ? { reason } : {}),
      ageHours: Math.round(ageHours(s.time, at) * 1000) / 1000,
    };
  });
  return summarize(ctx.spec.backup.repository, ctx.spec.dr.rpoHours, rows, instance ? [instance] : ctx.spec.resolved.map((i) => i.name));
}

/** Pure: rows -> per-instance latest age vs RPO. */
export function summarize(repository: string, rpoHours: number, rows: SnapshotRow[], names: string[]): SnapshotList {
  const instances = names.map((name) => {
    const latest = rows.filter((r) => r.instance === name).sort((a, b) => a.time.localeCompare(b.time)).pop();
    return latest
      ? { name, latest: latest.shortId, latestAgeHours: latest.ageHours, withinRpo: latest.ageHours <= rpoHours }
      : { name, withinRpo: false };
  });
  return { schemaVersion: 1, repository, rpoHours, snapshots: rows, instances };
}
