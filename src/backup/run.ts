/**
 * `clawops backup run`: for each instance, stage a consistent copy of its state, write the
 * manifest, `restic backup` it with per-instance/host tags; then retention (`forget --prune`) and
 * `restic check` on a rotating data subset; record the result (records.ts) and the metrics.
 */
import { ClawopsError } from '../core/errors.ts';
import { safeUrl } from '../core/redact.ts';
import { VERSION } from '../cli/version.ts';
import { type BackupContext, log, now, pickInstances, targetHost, withLock, withRestic } from './context.ts';
import { MANIFEST_NAME, MANIFEST_TAG_PREFIX, manifestDigest, manifestFiles, serializeManifest, type Manifest } from './manifest.ts';
import { backupArgv, backupPaths, checkArgv, forgetArgv, nextSubset, planInstanceBackup } from './plan.ts';
import { type BackupRecord, type InstanceBackup, parseBackupRecord } from './records.ts';
import { writeRecord } from './record-io.ts';
import { parseBackupJsonl, parseCheck, parseForget } from './restic-parse.ts';
import type { Restic } from './restic.ts';
import { hashTree, removeDir, stage } from './stage.ts';

export interface BackupOptions {
  /** instance names (default: all) */
  instances?: readonly string[];
  /** extra snapshot tags, e.g. `reason=pre-upgrade` */
  tags?: readonly string[];
  /**
   * skip retention and check (a pre-upgrade backup wants to be quick; `backup run --no-maintenance`):
   * the previous run's check result is carried forward, so the rotating subset continues
   */
  skipMaintenance?: boolean;
  /** test hook: runs after the manifest is written, before restic reads the staging dir */
  afterStage?: (instance: string, stagingDir: string) => Promise<void>;
}

/** Backs up; records the result on the target; throws (after recording) when any part failed. */
export async function runBackup(ctx: BackupContext, opts: BackupOptions = {}): Promise<BackupRecord> {
  const instances = pickInstances(ctx.spec, opts.instances);
  const paths = backupPaths(ctx.spec.stateDir);
  const started = now(ctx);
  const host = await targetHost(ctx.ex);
  const previous = parseBackupRecord((await ctx.ex.readFile(paths.lastBackup))?.toString('utf8'));
  const record: BackupRecord = {
    schemaVersion: 1, kind: 'backup', ok: false, startedAt: started.toISOString(), finishedAt: '', durationMs: 0,
    host, repository: safeUrl(ctx.spec.backup.repository), instances: [],
    ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
  };
  let failure: unknown;
  try {
    await withLock(ctx, () =>
      withRestic(ctx, async (restic) => {
        // opening the repository (a restic start-up, ~0.5 s) overlaps the staging; awaited before restic reads it
        const ready = restic.ensureRepository((l) => log(ctx, l)).then((created) => {
          if (created) record.initializedRepository = true;
        });
        ready.catch(() => {});
        for (const inst of instances) {
          const r = await backupInstance(ctx, restic, inst.name, host, opts, ready);
          record.instances.push(r);
          if (!r.ok) throw new ClawopsError(`backup of instance ${inst.name} failed: ${r.error}`, { hint: 'see the cause with --debug' });
        }
        const keptIds = opts.skipMaintenance ? [] : await maintain(ctx, restic, record, previous);
        await fullSnapshotIds(restic, record, keptIds, host);
      }),
    );
  } catch (err) {
    failure = err;
    record.error = err instanceof Error ? err.message : String(err);
  }
  const checked = record.check !== undefined;
  if (!checked && previous?.check) record.check = previous.check;
  const finished = now(ctx);
  record.finishedAt = finished.toISOString();
  record.durationMs = finished.getTime() - started.getTime();
  record.ok = failure === undefined && record.instances.every((i) => i.ok) && (!checked || (record.check?.ok ?? true));
  if (record.ok) record.lastSuccessAt = record.finishedAt;
  await writeRecord(ctx, paths.lastBackup, 'clawops_backup.prom', record);
  if (failure !== undefined) throw failure;
  if (checked && record.check && !record.check.ok) {
    throw new ClawopsError(`restic check of ${record.repository} found errors: ${record.check.error ?? ''}`, {
      hint: 'run `restic check --read-data` against the repository and repair it (restic repair / a fresh repository)',
    });
  }
  return record;
}

/** The backup an upgrade or rollback takes first; returns the snapshot id per instance. */
export async function backupBeforeUpgrade(ctx: BackupContext, instance: string, fromVersion: string, toVersion: string): Promise<string> {
  const rec = await runBackup(ctx, {
    instances: [instance],
    tags: ['reason=pre-upgrade', `from=${fromVersion}`, `to=${toVersion}`],
    skipMaintenance: true,
  });
  const id = rec.instances[0]?.snapshotId;
  if (!id) throw new ClawopsError(`the pre-upgrade backup of ${instance} produced no snapshot`, { hint: 'run `clawops backup run` and look at its output' });
  return id;
}

async function backupInstance(ctx: BackupContext, restic: Restic, name: string, host: string, opts: BackupOptions, ready: Promise<void>): Promise<InstanceBackup> {
  const t0 = Date.now();
  const inst = ctx.spec.resolved.find((i) => i.name === name);
  if (!inst) throw new Error(`unknown instance ${name}`);
  const plan = planInstanceBackup(ctx.spec, inst, {
    host,
    ...(ctx.specText ? { specText: ctx.specText } : {}),
    ...(ctx.unitDir ? { unitDir: ctx.unitDir } : {}),
    ...(opts.tags ? { extraTags: [...opts.tags] } : {}),
  });
  log(ctx, `${name}: staging ${inst.stateDir} (SQLite by online backup)`);
  try {
    const staged = await stage(ctx.ex, plan);
    const { sizes, sums } = await hashTree(ctx.ex, plan.stagingDir);
    const manifest: Manifest = {
      schemaVersion: 1, createdAt: now(ctx).toISOString(), host, instance: name,
      openclawVersion: ctx.spec.openclaw.version, clawopsVersion: VERSION,
      sqlite: staged.sqlite, files: manifestFiles(sizes, sums),
    };
    const text = serializeManifest(manifest);
    const digest = manifestDigest(text);
    await ctx.ex.writeFile(`${plan.stagingDir}/${MANIFEST_NAME}`, text, { mode: 0o600 });
    await opts.afterStage?.(name, plan.stagingDir);
    log(ctx, `${name}: ${Object.keys(manifest.files).length} files (${staged.sqlite.length} SQLite) staged; restic backup to ${restic.repository}`);
    await ready;
    const r = await restic.run(backupArgv(host, [...plan.tags, `${MANIFEST_TAG_PREFIX}${digest}`]), { cwd: plan.stagingDir, what: `restic backup of ${name}` });
    const summary = parseBackupJsonl(r.stdout);
    if (!summary) throw new ClawopsError(`restic backup of ${name} printed no summary`, { hint: 'run again with --debug' });
    log(ctx, `${name}: snapshot ${summary.snapshotId}: ${summary.totalBytesProcessed} bytes read, ${summary.dataAdded} added`);
    return {
      name, ok: true, snapshotId: summary.snapshotId, shortId: summary.snapshotId.slice(0, 8),
      bytesAdded: summary.dataAdded, bytesProcessed: summary.totalBytesProcessed, files: summary.totalFilesProcessed,
      sqlite: staged.sqlite.length, manifestDigest: digest, durationMs: Date.now() - t0,
    };
  } finally {
    await removeDir(ctx.ex, plan.stagingDir);
  }
}

/**
 * restic < 0.17 prints only the short id in the backup summary. The full id comes from the forget
 * output that retention prints anyway; only when that did not run (no retention, --no-maintenance,
 * a pre-upgrade backup) does it cost a `restic snapshots` (one more repository open).
 */
async function fullSnapshotIds(restic: Restic, record: BackupRecord, keptIds: readonly string[], host: string): Promise<void> {
  const short = record.instances.filter((i) => i.snapshotId !== undefined && i.snapshotId.length < 64);
  for (const i of short) i.snapshotId = keptIds.find((id) => id.startsWith(i.snapshotId ?? '-')) ?? i.snapshotId;
  for (const i of short.filter((x) => (x.snapshotId ?? '').length < 64)) {
    const snaps = await restic.snapshots({ instance: i.name, host });
    i.snapshotId = snaps.find((s) => s.id.startsWith(i.snapshotId ?? '-'))?.id ?? i.snapshotId;
  }
}

/** Retention, then restic check of the next data subset; returns the full ids of the snapshots kept. */
async function maintain(ctx: BackupContext, restic: Restic, record: BackupRecord, previous: BackupRecord | undefined): Promise<string[]> {
  const argv = forgetArgv(ctx.spec.backup.retention);
  let keptIds: string[] = [];
  if (!argv) {
    record.retention = { ok: true, kept: 0, removed: 0, skipped: 'every backup.retention value is 0: all snapshots are kept' };
  } else {
    const r = await restic.run(argv, { allowFailure: true });
    if (r.exitCode === 0) {
      const f = parseForget(r.stdout);
      keptIds = f.keptIds;
      record.retention = { ok: true, kept: f.kept, removed: f.removed.length };
      log(ctx, `retention: kept ${f.kept}, removed ${f.removed.length}`);
    } else {
      const e = restic.error(r, 'restic forget --prune');
      record.retention = { ok: false, kept: 0, removed: 0, error: e.message };
      throw e;
    }
  }
  const subset = nextSubset(previous?.check?.subset, ctx.spec.backup.checkSubsetPercent);
  const r = await restic.run(checkArgv(subset), { allowFailure: true });
  record.check = { ...parseCheck(`${r.stdout}\n${r.stderr}`, r.exitCode, subset), durationMs: r.durationMs };
  log(ctx, `restic check --read-data-subset=${subset}: ${record.check.ok ? 'no errors' : record.check.error}`);
  return keptIds;
}
