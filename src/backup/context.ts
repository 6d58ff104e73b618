/**
 * What backup, restore and drill need: the target, the spec, and a few injectable defaults
 * (clock, log, unit dir, service control) so tests and other commands (upgrade, standby) can
 * call the same API.
 */
import { ClawopsError } from '../core/errors.ts';
import { withLock as withHostLock } from '../core/lock.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { resticPasswordFile } from './password.ts';
import { backupPaths } from './plan.ts';
import { Restic } from './restic.ts';

export interface UnitControl {
  stop(unit: string): Promise<void>;
  start(unit: string): Promise<void>;
}

export interface BackupContext {
  ex: Executor;
  spec: ResolvedSpec;
  /** clawops' own environment: the source of `{env}` secret references */
  env: NodeJS.ProcessEnv;
  /** the spec file's name and text (backed up with the state) */
  specText?: { name: string; text: string };
  /** unit files dir on the target (default /etc/systemd/system) */
  unitDir?: string;
  log?: (line: string) => void;
  now?: () => Date;
  /** starts/stops gateway units (default: systemctl on the target) */
  units?: UnitControl;
  /** the command named in the host lock when this context takes it (default "clawops backup") */
  lockCommand?: string;
}

export function systemctlUnits(ex: Executor): UnitControl {
  return {
    stop: async (unit) => {
      await ex.run(['systemctl', 'stop', unit], { timeoutMs: 360_000 });
    },
    start: async (unit) => {
      await ex.run(['systemctl', 'start', unit], { timeoutMs: 120_000 });
    },
  };
}

export function now(ctx: BackupContext): Date {
  return ctx.now ? ctx.now() : new Date();
}

export function log(ctx: BackupContext, line: string): void {
  ctx.log?.(line);
}

export function pickInstances(spec: ResolvedSpec, names: readonly string[] | undefined): ResolvedInstance[] {
  if (!names || names.length === 0) return spec.resolved;
  return names.map((n) => {
    const inst = spec.resolved.find((i) => i.name === n);
    if (!inst) throw new ClawopsError(`no instance named ${n} in the spec`, { hint: `use one of: ${spec.resolved.map((i) => i.name).join(', ')}` });
    return inst;
  });
}

export async function targetHost(ex: Executor): Promise<string> {
  const r = await ex.run(['uname', '-n']);
  return r.stdout.trim() || 'unknown';
}

/** Runs `fn` with a Restic bound to the spec's repository and a password file (cleaned up after). */
export async function withRestic<T>(ctx: BackupContext, fn: (restic: Restic) => Promise<T>): Promise<T> {
  const paths = backupPaths(ctx.spec.stateDir);
  await ctx.ex.run(['mkdir', '-p', '-m', '0700', '--', paths.dir]);
  const pw = await resticPasswordFile(ctx.ex, ctx.spec.backup.password, ctx.env, paths.dir);
  try {
    return await fn(new Restic(ctx.ex, ctx.spec.backup.repository, pw.path, paths.cache));
  } finally {
    await pw.cleanup();
  }
}

/**
 * The host lock (core/lock.ts) around a backup, restore or drill, so no two share a staging dir and
 * none runs beside a change. Re-entrant: under `clawops upgrade` or `standby sync` it is already held.
 */
export function withLock<T>(ctx: BackupContext, fn: () => Promise<T>): Promise<T> {
  return withHostLock(ctx.ex, ctx.spec.stateDir, ctx.lockCommand ?? 'clawops backup', fn, { ...(ctx.log ? { note: ctx.log } : {}) });
}
