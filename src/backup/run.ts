/**
 * `clawops backup run`: for each instance, stage a consistent copy of its state, write the
 * manifest, `restic backup` it with per-instance/host tags; then retention (`forget --prune`) and
 * `restic check` on a rotating data subset; record the result (records.ts) and the metrics.
 */
import { ClawopsError } from '../core/errors.ts';
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
  /** skip retention and check (a pre-upgrade backup wants to be quick) */
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
    host, repository: ctx.spec.backup.repository, instances: [],
    ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
  };
  let failure: unknown;
  try {
    await withLock(ctx, () =>
      withRestic(ctx, async (restic) => {
        if (await restic.ensureRepository((l) => log(ctx, l))) record.initializedRepository = true;
        for (const inst of instances) {
          const r = await backupInstance(ctx, restic, inst.name, host, opts);
          record.instances.push(r);
          if (!r.ok) throw new ClawopsError(`backup of instance ${inst.name} failed: ${r.error}`, { hint: 'see the cause with --debug' });
        }
        if (!opts.skipMaintenance) await maintain(ctx, restic, record, previous);
      }),
    );
  } catch (err) {
    failure = err;
    record.error = err instanceof Error ? err.message : String(err);
  }
  const finished = now(ctx);
  record.finishedAt = finished.toISOString();
  record.durationMs = finished.getTime() - started.getTime();
  record.ok = failure === undefined && record.instances.every((i) => i.ok) && (record.check?.ok ?? true);
  if (record.ok) record.lastSuccessAt = record.finishedAt;
  await writeRecord(ctx, paths.lastBackup, 'clawops_backup.prom', record);
  if (failure !== undefined) throw failure;
  if (record.check && !record.check.ok) {
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

async function backupInstance(ctx: BackupContext, restic: Restic, name: string, host: string, opts: BackupOptions): Promise<InstanceBackup> {
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
    const r = await restic.run(backupArgv(host, [...plan.tags, `${MANIFEST_TAG_PREFIX}${digest}`]), { cwd: plan.stagingDir, what: `restic backup of ${name}` });
    const summary = parseBackupJsonl(r.stdout);
    if (!summary) throw new ClawopsError(`restic backup of ${name} printed no summary`, { hint: 'run again with --debug' });
    const snaps = await restic.snapshots({ instance: name, host });
    const snap = snaps.find((s) => s.shortId === summary.snapshotId || s.id.startsWith(summary.snapshotId));
    log(ctx, `${name}: snapshot ${summary.snapshotId}: ${summary.totalBytesProcessed} bytes read, ${summary.dataAdded} added`);
    return {
      name, ok: true, snapshotId: snap?.id ?? summary.snapshotId, shortId: summary.snapshotId,
      bytesAdded: summary.dataAdded, bytesProcessed: summary.totalBytesProcessed, files: summary.totalFilesProcessed,
      sqlite: staged.sqlite.length, manifestDigest: digest, durationMs: Date.now() - t0,
    };
  } finally {
    await removeDir(ctx.ex, plan.stagingDir);
  }
}

async function maintain(ctx: BackupContext, restic: Restic, record: BackupRecord, previous: BackupRecord | undefined): Promise<void> {
  const argv = forgetArgv(ctx.spec.backup.retention);
  if (!argv) {
    record.retention = { ok: true, kept: 0, removed: 0, skipped: 'every backup.retention value is 0: all snapshots are kept' };
  } else {
    const r = await restic.run(argv, { allowFailure: true });
    if (r.exitCode === 0) {
      const f = parseForget(r.stdout);
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
}
