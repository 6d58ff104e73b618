/**
 * The known-good record: the OpenClaw version that last passed the go-live gate on this target,
 * under `<spec.stateDir>/openclaw/<instance>/known-good.json` (root 0600, no secrets: core/records).
 * `clawops upgrade` writes it when its gate passes; `clawops check --profile go-live` may too
 * (recordKnownGood). Rollback goes back to it by default.
 */
import { writeRecordFile } from '../core/records.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

export interface KnownGood {
  schemaVersion: 1;
  kind: 'known-good';
  instance: string;
  version: string;
  recordedAt: string;
  /** the pre-upgrade snapshot taken before this version was switched to (state of the version before) */
  snapshotId?: string;
  /** what recorded it: upgrade | check */
  by: string;
}

export const knownGoodPath = (spec: ResolvedSpec, inst: ResolvedInstance): string => `${spec.stateDir}/openclaw/${inst.name}/known-good.json`;

export function parseKnownGood(text: string | undefined): KnownGood | undefined {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as Partial<KnownGood>;
    if (j.kind !== 'known-good' || j.schemaVersion !== 1 || typeof j.version !== 'string' || typeof j.instance !== 'string') return undefined;
    return j as KnownGood;
  } catch {
    return undefined;
  }
}

export async function readKnownGood(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance): Promise<KnownGood | undefined> {
  return parseKnownGood((await ex.readFile(knownGoodPath(spec, inst)))?.toString('utf8'));
}

export async function recordKnownGood(
  ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, version: string, opts: { snapshotId?: string; by: string; now?: Date },
): Promise<KnownGood> {
  const rec: KnownGood = {
    schemaVersion: 1, kind: 'known-good', instance: inst.name, version, recordedAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.snapshotId ? { snapshotId: opts.snapshotId } : {}), by: opts.by,
  };
  const path = knownGoodPath(spec, inst);
  await writeRecordFile(ex, path, rec, ['kind', 'instance', 'version', 'recordedAt', 'snapshotId', 'by']);
  return rec;
}
