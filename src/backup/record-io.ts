/** Writing a record (JSON, atomic, 0644) and its Prometheus textfile (atomic: write + rename). */
import type { BackupContext } from './context.ts';
import { log } from './context.ts';
import { backupMetrics, drillMetrics, type BackupRecord, type DrillRecord } from './records.ts';

export async function writeRecord(ctx: BackupContext, path: string, promName: string, record: BackupRecord | DrillRecord): Promise<void> {
  await ctx.ex.run(['mkdir', '-p', '--', path.slice(0, path.lastIndexOf('/'))]);
  await ctx.ex.writeFile(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
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
