/**
 * `clawops standby sync`: make a second host, converged by the same spec, a warm copy of the
 * primary. Per instance: pick the primary's newest snapshot in the shared repository (seen from
 * the standby), check the standby's OpenClaw can run it, then the in-place restore of
 * src/backup/restore.ts (restore to scratch, verify against the manifest, stop the gateway, move
 * the standby's state aside and keep it, move the restored state in, start), with ownership
 * mapped by name and the primary's identity baseline installed just before the start. Then health,
 * the go-live gate on the standby, and the record (<stateDir>/backup/standby.json + textfile).
 */
import { writeRecordFile } from '../core/records.ts';
import { safeUrl } from '../core/redact.ts';
import { ClawopsError } from '../core/errors.ts';
import { type BackupContext, log, now, pickInstances, systemctlUnits, targetHost, type UnitControl, withRestic } from '../backup/context.ts';
import { parseManifest } from '../backup/manifest.ts';
import { restoreInPlace } from '../backup/restore.ts';
import type { Restic } from '../backup/restic.ts';
import { runChecks, summarize, type FailOn } from '../checks/run.ts';
import { NO_WAIVERS, type WaiverSet } from '../checks/waivers.ts';
import { identityBaselinePath } from '../openclaw/paths.ts';
import { healthWithin } from '../openclaw/probe.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { readKnownGood } from '../upgrade/known-good.ts';
import { gateChecks, pickSnapshot, replacedToPrune, rpoOf, STANDBY_PROM, standbyRecordPath, versionProblem } from './plan.ts';
import { parseStandbyRecord, STANDBY_SAFE, standbyMetrics, type StandbyInstance, type StandbyRecord } from './record.ts';

export interface SyncOptions {
  /** instances to sync (default: all in the spec) */
  instances?: readonly string[];
  /** only snapshots taken by this host (the primary's uname -n) */
  fromHost?: string;
  /** go-live check ids of the gate (default: go-live minus the primary-only backup checks) */
  checks?: readonly string[];
  failOn?: FailOn;
  allowUnknown?: boolean;
  waivers?: WaiverSet;
  healthTimeoutSec?: number;
  /** how many replaced states to keep per instance (default 2) */
  keepReplaced?: number;
}

interface Prepared {
  inst: ResolvedInstance;
  version: string;
  snapshotId: string;
  entry: StandbyInstance;
  baseline?: string;
}

export async function syncStandby(ctx: BackupContext, opts: SyncOptions = {}): Promise<StandbyRecord> {
  const started = now(ctx);
  const t0 = Date.now();
  const recordPath = standbyRecordPath(ctx.spec.stateDir);
  const previous = parseStandbyRecord((await ctx.ex.readFile(recordPath).catch(() => null))?.toString('utf8'));
  const host = await targetHost(ctx.ex);
  const instances = pickInstances(ctx.spec, opts.instances);
  const rec: StandbyRecord = {
    schemaVersion: 1, kind: 'standby', ok: false, startedAt: started.toISOString(), finishedAt: '', durationMs: 0,
    host, target: ctx.ex.target, repository: safeUrl(ctx.spec.backup.repository), instances: [],
    ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
  };
  try {
    const prepared = await withRestic(ctx, async (restic) => {
      rec.repository = restic.repository;
      const out: Prepared[] = [];
      for (const inst of instances) out.push(await prepare(ctx, restic, inst, host, opts));
      return out;
    });
    for (const p of prepared) {
      rec.instances.push(p.entry);
      await syncInstance(ctx, p, opts.keepReplaced ?? 2);
    }
    for (const p of prepared) {
      p.entry.health = await healthWithin(ctx.ex, p.inst, p.version, opts.healthTimeoutSec ?? 180);
      log(ctx, `${p.inst.name}: ${p.entry.health.detail}`);
    }
    const unhealthy = prepared.filter((p) => !p.entry.health?.ok);
    if (unhealthy.length === 0) rec.gate = await gate(ctx, opts);
    for (const p of prepared) p.entry.ok = Boolean(p.entry.health?.ok && p.entry.rpo?.ok);
    const stale = prepared.filter((p) => p.entry.rpo && !p.entry.rpo.ok);
    rec.ok = prepared.every((p) => p.entry.ok) && rec.gate?.ok === true;
    if (unhealthy.length) rec.error = `not healthy on the standby: ${unhealthy.map((p) => `${p.inst.name} (${p.entry.health?.detail})`).join('; ')}`;
    else if (!rec.gate?.ok) rec.error = `the go-live gate failed on the standby: ${rec.gate?.blocking.join(', ') || 'no check ran'}`;
    else if (stale.length) rec.error = `the synced snapshot is older than the RPO (${ctx.spec.dr.rpoHours} h): ${stale.map((p) => `${p.inst.name} ${p.entry.rpo?.ageHours.toFixed(1)} h`).join(', ')}`;
  } catch (err) {
    rec.error = err instanceof Error ? err.message : String(err);
    await finish(ctx, rec, t0, recordPath);
    throw err;
  }
  await finish(ctx, rec, t0, recordPath);
  return rec;
}

/** Read-only: the snapshot, its manifest (version check) and identity baseline; the standby is converged. */
async function prepare(ctx: BackupContext, restic: Restic, inst: ResolvedInstance, host: string, opts: SyncOptions): Promise<Prepared> {
  const user = await ctx.ex.run(['id', '-u', '--', inst.user], { allowFailure: true });
  if (user.exitCode !== 0) {
    throw new ClawopsError(`the standby ${ctx.ex.target} is not converged: no service user ${inst.user} for instance ${inst.name}`, {
      hint: `converge it with the same spec first: clawops apply --target ${ctx.ex.target}`,
    });
  }
  const pick = pickSnapshot(await restic.snapshots({ instance: inst.name }), {
    instance: inst.name, standbyHost: host, repository: restic.repository, ...(opts.fromHost ? { fromHost: opts.fromHost } : {}),
  });
  if (!pick.ok) throw new ClawopsError(pick.message, { hint: pick.hint });
  const snap = pick.snapshot;
  if (pick.skippedOwn) log(ctx, `${inst.name}: ignoring ${pick.skippedOwn} snapshot(s) the standby took itself`);
  const manifest = parseManifest((await restic.run(['restic', 'dump', snap.id, '/manifest.json'], { what: `reading the manifest of snapshot ${snap.shortId}`, timeoutMs: 300_000 })).stdout);
  const version = (await readKnownGood(ctx.ex, ctx.spec, inst))?.version ?? ctx.spec.openclaw.version;
  const problem = versionProblem(manifest.openclawVersion, version);
  if (problem) throw new ClawopsError(`${inst.name}: ${problem.message}; the standby was left untouched`, { hint: problem.hint });
  const base = await restic.run(['restic', 'dump', snap.id, `/clawops/state/identity/${inst.name}.sha256`], { allowFailure: true, timeoutMs: 300_000 });
  const rpo = rpoOf(snap.time, now(ctx), ctx.spec.dr.rpoHours);
  log(ctx, `${inst.name}: snapshot ${snap.shortId} from ${snap.hostname} (${snap.time}, ${rpo.ageHours.toFixed(2)} h old, OpenClaw ${manifest.openclawVersion}); the standby runs ${version}`);
  return {
    inst, version, snapshotId: snap.id,
    ...(base.exitCode === 0 && base.stdout.trim() ? { baseline: base.stdout } : {}),
    entry: {
      name: inst.name, ok: false, snapshotId: snap.id, shortId: snap.shortId, snapshotTime: snap.time, snapshotHost: snap.hostname,
      snapshotVersion: manifest.openclawVersion, rpo, durationMs: 0,
    },
  };
}

/** The in-place restore (which adopts the state: ownership by name, leases), with the primary's identity baseline installed before the start. */
async function syncInstance(ctx: BackupContext, p: Prepared, keepReplaced: number): Promise<void> {
  const t0 = Date.now();
  const systemctl = ctx.units ?? systemctlUnits(ctx.ex);
  const units: UnitControl = {
    stop: (unit) => systemctl.stop(unit),
    start: async (unit) => {
      if (p.baseline !== undefined) {
        const path = identityBaselinePath(ctx.spec, p.inst);
        await ctx.ex.run(['mkdir', '-p', '--', path.slice(0, path.lastIndexOf('/'))]);
        await ctx.ex.writeFile(path, p.baseline, { mode: 0o600, owner: 'root', group: 'root' });
      }
      p.entry.baseline = p.baseline !== undefined ? 'restored' : 'kept';
      log(ctx, `${p.inst.name}: identity baseline ${p.entry.baseline}`);
      await systemctl.start(unit);
    },
  };
  try {
    const r = await restoreInPlace({ ...ctx, units }, p.snapshotId, p.inst.name);
    p.entry.verifiedFiles = r.verify.checked;
    p.entry.reowned = r.adopted.reowned;
    p.entry.foreignLeasesCleared = r.adopted.foreignLeasesCleared;
    if (r.replacedPath) p.entry.replacedPath = r.replacedPath;
    await pruneReplaced(ctx, p.inst, keepReplaced);
  } catch (err) {
    p.entry.error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    p.entry.durationMs = Date.now() - t0;
  }
}

async function pruneReplaced(ctx: BackupContext, inst: ResolvedInstance, keep: number): Promise<void> {
  const ls = await ctx.ex.run(['sh', '-c', 'for d in "$1".replaced-*; do [ -d "$d" ] && printf "%s\\n" "$d"; done; true', 'sh', inst.stateDir], { allowFailure: true });
  const old = replacedToPrune(ls.stdout.split('\n').filter(Boolean), inst.stateDir, keep);
  for (const d of old) {
    await ctx.ex.run(['rm', '-rf', '--', d], { timeoutMs: 600_000 });
    log(ctx, `${inst.name}: removed an older replaced state ${d} (keeping ${keep})`);
  }
}

async function gate(ctx: BackupContext, opts: SyncOptions): Promise<NonNullable<StandbyRecord['gate']>> {
  const checks = gateChecks(opts.checks);
  const failOn = opts.failOn ?? 'warn';
  const allowUnknown = opts.allowUnknown ?? false;
  const { results } = await runChecks(ctx.ex, { spec: ctx.spec, profile: 'go-live', now: now(ctx), waivers: opts.waivers ?? NO_WAIVERS, only: checks });
  const s = summarize(results, failOn, allowUnknown);
  const blocking = results.filter((r) => r.status === 'fail' || (r.status === 'unknown' && !allowUnknown)).map((r) => `${r.id}${r.instance ? `[${r.instance}]` : ''} ${r.status}`);
  log(ctx, `go-live gate on the standby: ${s.gate} (${s.byStatus.pass}/${s.total} pass)`);
  return { ok: s.gate === 'pass' && s.total > 0, checks, pass: s.byStatus.pass, total: s.total, blocking, failOn, allowUnknown };
}

async function finish(ctx: BackupContext, rec: StandbyRecord, t0: number, path: string): Promise<void> {
  const end = now(ctx);
  rec.finishedAt = end.toISOString();
  rec.durationMs = Date.now() - t0;
  if (rec.ok) rec.lastSuccessAt = rec.finishedAt;
  try {
    await writeRecordFile(ctx.ex, path, rec, STANDBY_SAFE);
    const dir = ctx.spec.monitoring.textfileDir;
    await ctx.ex.run(['mkdir', '-p', '--', dir]);
    await ctx.ex.writeFile(`${dir}/${STANDBY_PROM}`, standbyMetrics(rec), { mode: 0o644 });
  } catch (err) {
    log(ctx, `warning: could not write the standby record: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `clawops standby status`: the record, or undefined when the target never synced. */
export async function readStandbyRecord(ctx: Pick<BackupContext, 'ex' | 'spec'>): Promise<StandbyRecord | undefined> {
  return parseStandbyRecord((await ctx.ex.readFile(standbyRecordPath(ctx.spec.stateDir)))?.toString('utf8'));
}
