/**
 * `clawops drill`: restore the latest snapshot of an instance to scratch, verify every file against
 * the manifest, `PRAGMA integrity_check` each restored SQLite database, start a throwaway gateway
 * on the restored state (when OpenClaw is installed), and measure RTO (restore + verify + integrity
 * + gateway start) and RPO (snapshot age) against spec.dr. Scratch is always removed. The result
 * is recorded (<stateDir>/backup/drill.json) for the gate.
 */
import { randomBytes } from 'node:crypto';
import { ClawopsError } from '../core/errors.ts';
import { type BackupContext, log, now, targetHost, withLock, withRestic } from './context.ts';
import { findOpenclaw, probeGateway } from './gateway.ts';
import { servicePath } from '../openclaw/paths.ts';
import { describeVerifyFailure } from './manifest.ts';
import { backupPaths } from './plan.ts';
import { type DrillRecord, type DrillStep, ageHours, parseDrillRecord } from './records.ts';
import { writeRecord } from './record-io.ts';
import type { Snapshot } from './restic-parse.ts';
import { resolveSnapshot, verifyTree } from './restore.ts';
import { removeDir } from './stage.ts';
import { sanitizeRestored } from './sanitize.ts';

export interface DrillOptions {
  instance?: string;
  /** keep the scratch restore (printed) instead of removing it */
  keep?: boolean;
  /** seconds the throwaway gateway gets to become healthy (default 120) */
  gatewayLimitSec?: number;
  /** test hook: runs after the restore, before verification */
  afterRestore?: (dir: string) => Promise<void>;
}

export async function runDrill(ctx: BackupContext, opts: DrillOptions = {}): Promise<DrillRecord & { scratch?: string }> {
  const inst = opts.instance ? ctx.spec.resolved.find((i) => i.name === opts.instance) : ctx.spec.resolved[0];
  if (!inst) throw new ClawopsError(`no instance named ${opts.instance} in the spec`, { hint: `use one of: ${ctx.spec.resolved.map((i) => i.name).join(', ')}` });
  const paths = backupPaths(ctx.spec.stateDir);
  const started = now(ctx);
  const previous = parseDrillRecord((await ctx.ex.readFile(paths.lastDrill))?.toString('utf8'));
  const record: DrillRecord & { scratch?: string } = {
    schemaVersion: 1, kind: 'drill', ok: false, startedAt: started.toISOString(), finishedAt: '',
    host: await targetHost(ctx.ex), instance: inst.name, steps: [],
    ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
  };
  const scratch = `${paths.scratch}/drill-${randomBytes(4).toString('hex')}`;
  let failure: unknown;
  try {
    await withLock(ctx, () =>
      withRestic(ctx, async (restic) => {
        const snap = await resolveSnapshot(restic, 'latest', inst.name);
        record.snapshotId = snap.id;
        record.snapshotTime = snap.time;
        await ctx.ex.run(['mkdir', '-p', '-m', '0700', '--', paths.scratch]);
        const t0 = Date.now();
        await restic.run(['restic', 'restore', snap.id, '--target', scratch], { what: `drill: restoring ${snap.shortId} into ${scratch}` });
        await sanitizeRestored(ctx.ex, scratch);
        record.steps.push({ name: 'restore', status: 'pass', durationMs: Date.now() - t0, detail: `snapshot ${snap.shortId} of ${snap.time} restored into ${scratch}` });
        await opts.afterRestore?.(scratch);
        await verifySteps(ctx, record, snap, scratch);
        const state = `${scratch}/instance/${inst.name}/state`;
        const probe = await probeGateway(ctx.ex, {
          bin: await findOpenclaw(ctx.ex, inst.bin),
          stateDir: state,
          envFile: `${state}/${inst.envFile.slice(inst.stateDir.length + 1)}`,
          home: `${scratch}/home`,
          version: ctx.spec.openclaw.version,
          user: inst.user,
          userPath: servicePath(inst),
          ...(opts.gatewayLimitSec ? { limitSec: opts.gatewayLimitSec } : {}),
        });
        record.steps.push({ name: 'gateway', status: probe.status, durationMs: probe.durationMs, detail: probe.detail });
      }),
    );
  } catch (err) {
    failure = err;
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    if (opts.keep) record.scratch = scratch;
    else await removeDir(ctx.ex, scratch);
  }
  const finished = now(ctx);
  record.finishedAt = finished.toISOString();
  const dr = ctx.spec.dr;
  if (record.snapshotTime) {
    const age = ageHours(record.snapshotTime, started);
    record.rpo = { ageHours: round(age), targetHours: dr.rpoHours, ok: age <= dr.rpoHours };
  }
  if (record.steps.length > 0 && failure === undefined) {
    const seconds = record.steps.reduce((s, x) => s + x.durationMs, 0) / 1000;
    record.rto = { seconds: round(seconds), targetHours: dr.rtoHours, ok: seconds <= dr.rtoHours * 3600 };
  }
  record.ok = failure === undefined && record.steps.every((s) => s.status !== 'fail') && (record.rto?.ok ?? false) && (record.rpo?.ok ?? false);
  if (record.ok) record.lastSuccessAt = record.finishedAt;
  if (!record.ok && !record.error) record.error = drillFailure(record);
  await writeRecord(ctx, paths.lastDrill, 'clawops_drill.prom', record);
  log(ctx, `drill ${record.ok ? 'passed' : `failed: ${record.error}`}`);
  if (failure !== undefined) throw failure;
  return record;
}

async function verifySteps(ctx: BackupContext, record: DrillRecord, snap: Snapshot, scratch: string): Promise<void> {
  const t1 = Date.now();
  const v = await verifyTree(ctx, snap, scratch);
  record.steps.push({
    name: 'verify', status: v.result.ok ? 'pass' : 'fail', durationMs: Date.now() - t1,
    detail: v.result.ok ? `${v.result.checked} files match the manifest` : describeVerifyFailure(v.result),
  });
  const t2 = Date.now();
  const dbs = v.manifest?.sqlite ?? [];
  const bad: string[] = [];
  for (const db of dbs) {
    const r = await ctx.ex.run(['sqlite3', '-readonly', '-batch', `${scratch}/${db}`, 'PRAGMA integrity_check;'], { allowFailure: true, timeoutMs: 3600_000 });
    if (r.exitCode !== 0 || r.stdout.trim() !== 'ok') bad.push(`${db}: ${(r.stdout.trim() || r.stderr.trim()).split('\n')[0]}`);
  }
  const step: DrillStep = dbs.length === 0
    ? { name: 'integrity', status: 'skipped', durationMs: 0, detail: 'no SQLite databases in the snapshot' }
    : { name: 'integrity', status: bad.length ? 'fail' : 'pass', durationMs: Date.now() - t2, detail: bad.length ? `integrity_check failed: ${bad.join('; ')}` : `PRAGMA integrity_check ok on ${dbs.length} database(s)` };
  record.steps.push(step);
}

function drillFailure(r: DrillRecord): string {
  const failed = r.steps.filter((s) => s.status === 'fail').map((s) => `${s.name}: ${s.detail}`);
  if (r.rpo && !r.rpo.ok) failed.push(`snapshot is ${r.rpo.ageHours} h old (RPO ${r.rpo.targetHours} h)`);
  if (r.rto && !r.rto.ok) failed.push(`recovery took ${r.rto.seconds} s (RTO ${r.rto.targetHours} h)`);
  return failed.join('; ') || 'drill did not complete';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
