/**
 * `clawops upgrade` and `clawops rollback` on one instance: each step timed and reported; a
 * failure handled as steps.ts plans it (abort, remove the new install, start the old unit, or a
 * full rollback: stop, switch back, old unit back, restore the pre-upgrade snapshot, start, verify).
 */
import { type BackupContext, log, systemctlUnits, withRestic } from '../backup/context.ts';
import { restoreInPlace } from '../backup/restore.ts';
import { tagValue } from '../backup/restic.ts';
import { backupBeforeUpgrade } from '../backup/run.ts';
import { ClawopsError } from '../core/errors.ts';
import type { Journal } from '../engine/types.ts';
import { planOne, readFacts, unreadable } from '../engine/plan.ts';
import { followWrites } from '../engine/registry.ts';
import { openclawInstallResource, readInstallState } from '../openclaw/install.ts';
import { renderGatewayUnit } from '../openclaw/unit.ts';
import { compareVersions, parseVersion } from '../openclaw/versions.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { healthWithin } from '../openclaw/probe.ts';
import { type GateOptions, runGate } from './gate.ts';
import { readKnownGood, recordKnownGood } from './known-good.ts';
import { adoptPrefix, atVersion, linkedVersion, switchTo, versionDir } from './layout.ts';
import { exitFor, onFailure, preflightProblem, type StepReport, type UpgradeReport, type UpgradeStep } from './steps.ts';

export interface UpgradeOptions extends GateOptions {
  instance?: string;
  npmCache?: string;
  /** test hook: after the side-by-side install, before the switch */
  afterInstall?: (dir: string) => Promise<void>;
}

const unitFile = (ctx: BackupContext, inst: ResolvedInstance) => `${ctx.unitDir ?? '/etc/systemd/system'}/${inst.unit}`;

const NO_JOURNAL: Journal = { saveFile: async () => {}, saveStep: async () => {} };

export function pickInstance(spec: ResolvedSpec, name?: string): ResolvedInstance {
  const inst = name ? spec.resolved.find((i) => i.name === name) : spec.resolved[0];
  if (!inst) throw new ClawopsError(`no instance named ${name ?? '(any)'} in the spec`, { hint: `use one of: ${spec.resolved.map((i) => i.name).join(', ')}` });
  return inst;
}

class Steps {
  readonly list: StepReport[] = [];
  private readonly ctx: BackupContext;
  private readonly prefix: string;
  constructor(ctx: BackupContext, prefix: string) {
    this.ctx = ctx;
    this.prefix = prefix;
  }
  async run<T>(name: string, fn: () => Promise<T>, detail: (v: T) => string): Promise<T> {
    const t0 = Date.now();
    log(this.ctx, `${this.prefix}${name} ...`);
    try {
      const v = await fn();
      this.list.push({ name, status: 'ok', durationMs: Date.now() - t0, detail: detail(v) });
      log(this.ctx, `${this.prefix}${name} ok (${Date.now() - t0} ms): ${detail(v)}`);
      return v;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.list.push({ name, status: 'failed', durationMs: Date.now() - t0, detail: msg });
      log(this.ctx, `${this.prefix}${name} FAILED (${Date.now() - t0} ms): ${msg}`);
      throw err;
    }
  }
}

async function stopUnit(ctx: BackupContext, inst: ResolvedInstance): Promise<void> {
  await (ctx.units ?? systemctlUnits(ctx.ex)).stop(inst.unit);
  await ctx.ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
}

/** Writes the unit for `version` when the current one is clawops' render for `from` (else leaves a hand-made unit alone). */
async function switchUnit(ctx: BackupContext, inst: ResolvedInstance, from: string, to: string, saved?: string): Promise<string> {
  const path = unitFile(ctx, inst);
  const cur = (await ctx.ex.readFile(path))?.toString('utf8');
  const next = saved ?? (cur === renderGatewayUnit(ctx.spec, inst, from) ? renderGatewayUnit(ctx.spec, inst, to) : undefined);
  if (next === undefined) return `${path} is not clawops' unit for ${from}: left as it is`;
  if (next === cur) return `${path} unchanged`;
  await ctx.ex.writeFile(path, next, { mode: 0o644, owner: 'root', group: 'root' });
  await ctx.ex.run(['systemctl', 'daemon-reload']);
  const followed = await followWrites(ctx.spec, ctx.ex, [path]);
  return `${path} ${saved !== undefined ? 'put back' : `rendered for ${to}`}${followed.length ? ` (${followed.join('; ')})` : ''}`;
}

/** The rollback sequence (also `clawops rollback`): stop, switch, unit, restore (starts the unit), verify. */
export async function rollbackTo(
  ctx: BackupContext, inst: ResolvedInstance, from: string, to: string, snapshotRef: string, opts: GateOptions & { savedUnit?: string },
): Promise<NonNullable<UpgradeReport['rollback']>> {
  const t0 = Date.now();
  const s = new Steps(ctx, 'rollback: ');
  try {
    await s.run('stop', () => stopUnit(ctx, inst), () => `${inst.unit} stopped`);
    await s.run('switch', () => switchTo(ctx.ex, inst, to), () => `${inst.npmPrefix} -> ${versionDir(inst, to)}`);
    await s.run('unit', () => switchUnit(ctx, inst, from, to, opts.savedUnit), (d) => d);
    await s.run('restore', () => restoreInPlace(ctx, snapshotRef, inst.name), (r) => `snapshot ${r.snapshot.shortId} in place (${r.verify.checked} files verified); replaced state kept in ${r.replacedPath ?? '-'}; ${inst.unit} started`);
    await s.run('verify', async () => {
      const h = await healthWithin(ctx.ex, inst, to, opts.healthTimeoutSec ?? 180);
      if (!h.ok) throw new ClawopsError(`openclaw ${to} is not healthy after the rollback: ${h.detail}`, { hint: `journalctl -u ${inst.unit}` });
      const v = (await readInstallState(ctx.ex, inst)).installed;
      if (v !== to) throw new ClawopsError(`after the rollback ${inst.npmPrefix} holds ${v ?? 'nothing'}, not ${to}`);
      return h.detail;
    }, (d) => `openclaw ${to}: ${d}`);
    return { to, ok: true, durationMs: Date.now() - t0, steps: s.list };
  } catch (err) {
    return { to, ok: false, durationMs: Date.now() - t0, steps: s.list, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function runUpgrade(ctx: BackupContext, version: string, opts: UpgradeOptions = {}): Promise<UpgradeReport> {
  const t0 = Date.now();
  const inst = pickInstance(ctx.spec, opts.instance);
  const s = new Steps(ctx, 'upgrade: ');
  const report: UpgradeReport = { schemaVersion: 1, kind: 'upgrade', instance: inst.name, from: '', to: version, outcome: 'failed', exitCode: 1, steps: s.list, durationMs: 0 };
  let step: UpgradeStep = 'preflight';
  let installedByUs = false;
  let savedUnit: string | undefined;
  try {
    const from = await s.run('preflight', async () => {
      const cur = (await readInstallState(ctx.ex, inst)).installed;
      const problem = preflightProblem(version, cur, ctx.spec.openclaw.minimumVersion, compareVersions, parseVersion);
      if (problem) throw new ClawopsError(problem, { hint: 'nothing was changed', exitCode: 1 });
      const kg = await readKnownGood(ctx.ex, ctx.spec, inst);
      if (kg && kg.version !== cur) log(ctx, `note: running ${cur}, but the known-good record says ${kg.version}; a failed upgrade returns to ${cur} (what runs now, with the state it has now)`);
      return cur as string;
    }, (v) => `${v} -> ${version} (minimum ${ctx.spec.openclaw.minimumVersion})`);
    report.from = from;
    step = 'backup';
    report.snapshotId = await s.run('backup', () => backupBeforeUpgrade(ctx, inst.name, from, version), (id) => `pre-upgrade snapshot ${id.slice(0, 8)}`);
    step = 'install';
    await s.run('install', async () => {
      const at = atVersion(inst, version);
      const st = await readInstallState(ctx.ex, at);
      if (st.installed === version && st.binPresent) return `already installed side by side in ${at.npmPrefix}`;
      installedByUs = true;
      const specV: ResolvedSpec = { ...ctx.spec, openclaw: { ...ctx.spec.openclaw, version } };
      const res = openclawInstallResource(specV, at, opts.npmCache ? { npmCache: opts.npmCache } : {});
      const planned = await planOne(res, await readFacts([res], ctx.ex));
      if ('unknown' in planned) throw unreadable(res, planned.unknown, ctx.ex.target);
      const change = planned.plan.changes[0];
      if (change) await res.apply(ctx.ex, change, NO_JOURNAL);
      await opts.afterInstall?.(at.npmPrefix);
      return `openclaw ${version} in ${at.npmPrefix}`;
    }, (d) => d);
    step = 'stop';
    await s.run('stop', () => stopUnit(ctx, inst), () => `${inst.unit} stopped`);
    step = 'switch';
    await s.run('switch', async () => {
      const adopted = await adoptPrefix(ctx.ex, inst, from);
      await switchTo(ctx.ex, inst, version);
      return adopted;
    }, (adopted) => `${adopted ? `adopted ${inst.npmPrefix} as ${versionDir(inst, from)}; ` : ''}${inst.npmPrefix} -> ${versionDir(inst, version)}`);
    step = 'unit';
    savedUnit = (await ctx.ex.readFile(unitFile(ctx, inst)))?.toString('utf8');
    await s.run('unit', () => switchUnit(ctx, inst, from, version), (d) => d);
    step = 'start';
    await s.run('start', () => (ctx.units ?? systemctlUnits(ctx.ex)).start(inst.unit), () => `${inst.unit} started`);
    step = 'gate';
    await s.run('gate', async () => {
      const g = await runGate(ctx.ex, ctx.spec, inst, version, opts);
      if (!g.ok) throw new ClawopsError(`the gate failed on ${version}: ${g.detail}`);
      return g.detail;
    }, (d) => d);
    step = 'record';
    await s.run('record', () => recordKnownGood(ctx.ex, ctx.spec, inst, version, { by: 'upgrade', ...(report.snapshotId ? { snapshotId: report.snapshotId } : {}) }), (k) => `known-good ${k.version}`);
    Object.assign(report, { outcome: 'upgraded', exitCode: 0 });
  } catch (err) {
    const action = onFailure(step, { installedByUs });
    Object.assign(report, { failedStep: step, action, error: err instanceof Error ? err.message : String(err) });
    if (action === 'remove-install') await ctx.ex.run(['rm', '-rf', '--', versionDir(inst, version)], { allowFailure: true });
    if (action === 'start-old') await (ctx.units ?? systemctlUnits(ctx.ex)).start(inst.unit).catch(() => {});
    if (action === 'rollback') {
      log(ctx, `rolling back to ${report.from} and snapshot ${report.snapshotId?.slice(0, 8)}`);
      report.rollback = await rollbackTo(ctx, inst, version, report.from, report.snapshotId ?? 'latest', { ...opts, ...(savedUnit !== undefined ? { savedUnit } : {}) });
    }
    const ok = report.rollback?.ok ?? false;
    report.exitCode = exitFor(action, ok);
    report.outcome = action === 'rollback' && ok ? 'rolled-back' : action === 'keep' ? 'upgraded' : 'failed';
  }
  report.durationMs = Date.now() - t0;
  return report;
}

/** `clawops rollback [VERSION]`: to VERSION (default: known-good) and the latest pre-upgrade snapshot taken while it ran. */
export async function runRollback(ctx: BackupContext, version: string | undefined, opts: GateOptions & { instance?: string } = {}): Promise<UpgradeReport> {
  const t0 = Date.now();
  const inst = pickInstance(ctx.spec, opts.instance);
  const kg = await readKnownGood(ctx.ex, ctx.spec, inst);
  const to = version ?? kg?.version;
  if (!to) throw new ClawopsError(`no known-good version recorded for ${inst.name} and no VERSION given`, { hint: 'name the version: `clawops rollback 2026.2.9`' });
  const from = (await linkedVersion(ctx.ex, inst)) ?? (await readInstallState(ctx.ex, inst)).installed ?? 'unknown';
  const snap = await withRestic(ctx, async (restic) => {
    const snaps = (await restic.snapshots({ instance: inst.name })).filter((x) => tagValue(x, 'reason') === 'pre-upgrade' && tagValue(x, 'from') === to);
    return snaps[snaps.length - 1];
  });
  if (!snap) {
    throw new ClawopsError(`no pre-upgrade snapshot of ${inst.name} taken while ${to} ran`, {
      hint: 'a binary-only rollback is not safe (forward-only state migrations); restore a snapshot by hand with `clawops backup restore`',
    });
  }
  const rb = await rollbackTo(ctx, inst, from, to, snap.id, opts);
  return {
    schemaVersion: 1, kind: 'rollback', instance: inst.name, from, to, snapshotId: snap.id, steps: rb.steps,
    outcome: rb.ok ? 'rolled-back' : 'failed', exitCode: rb.ok ? 0 : 1, ...(rb.error ? { error: rb.error } : {}), rollback: rb, durationMs: Date.now() - t0,
  };
}
