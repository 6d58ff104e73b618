/** Writing a record (JSON, atomic, root 0600, no secret: core/records) and its Prometheus textfile (atomic, 0644). */
import { writeRecordFile } from '../core/records.ts';
import type { BackupContext } from './context.ts';
import { log } from './context.ts';
import { backupMetrics, drillMetrics, type BackupRecord, type DrillRecord } from './records.ts';

export async function writeRecord(ctx: BackupContext, path: string, promName: string, record: BackupRecord | DrillRecord): Promise<void> {
  await writeRecordFile(ctx.ex, path, record, record.kind === 'backup' ? BACKUP_SAFE : DRILL_SAFE);
  const dir = ctx.spec.monitoring.textfileDir;
  const metrics = record.kind === 'backup' ? backupMetrics(record) : drillMetrics(record);
  try {
    await ctx.ex.run(['mkdir', '-p', '--', dir]);
    // writeFile is atomic (temp file in the same dir + rename), so node_exporter never reads half a file
    await ctx.ex.writeFile(`${dir}/${promName}`, metrics, { mode: 0o644 });
  } catch (err) {
    log(ctx, `warning: could not write ${dir}/${promName}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Fields of a backup record shown as they are (everything else is redacted by shape too). */
export const BACKUP_SAFE = [
  'kind', 'startedAt', 'finishedAt', 'host', 'repository', 'lastSuccessAt', 'instances.*.name', 'instances.*.snapshotId',
  'instances.*.shortId', 'instances.*.manifestDigest', 'check.subset', 'retention.skipped',
];
export const DRILL_SAFE = ['kind', 'startedAt', 'finishedAt', 'host', 'instance', 'snapshotId', 'snapshotTime', 'lastSuccessAt', 'steps.*.name', 'steps.*.status'];
