/**
 * Pure planning of an upgrade and of its rollback: the forward steps, and what happens when
 * each one fails. Nothing here touches a host (see run.ts for the execution).
 *
 * Why a failure after the switch restores the state too: OpenClaw's state migrations are
 * forward-only and a config touched by a newer version is refused by an older one
 * (meta.lastTouchedVersion), so putting the old binary back on the new state is not safe.
 */
export const UPGRADE_STEPS = ['preflight', 'backup', 'install', 'stop', 'switch', 'unit', 'start', 'gate', 'record'] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];

export const ROLLBACK_STEPS = ['stop', 'switch', 'unit', 'restore', 'verify'] as const;
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];

/**
 * - `abort`: nothing on the host changed; exit 1.
 * - `remove-install`: only the new side-by-side version dir was (partly) written: remove it; exit 1.
 * - `start-old`: the unit may be stopped, nothing was switched: start it again; exit 1.
 * - `rollback`: the new version ran (or may have run) on the state: stop, switch back, put the
 *   old unit back, restore the pre-upgrade snapshot, start, verify health; exit 2 when that worked.
 * - `keep`: upgraded and healthy, only the known-good record failed: keep it running; exit 1.
 */
export type FailureAction = 'abort' | 'remove-install' | 'start-old' | 'rollback' | 'keep';

export function onFailure(step: UpgradeStep, ctx: { installedByUs: boolean }): FailureAction {
  switch (step) {
    case 'preflight':
    case 'backup':
      return 'abort';
    case 'install':
      return ctx.installedByUs ? 'remove-install' : 'abort';
    case 'stop':
      return 'start-old';
    case 'switch':
    case 'unit':
    case 'start':
    case 'gate':
      return 'rollback';
    case 'record':
      return 'keep';
  }
}

/** The exit code of an upgrade that failed at `step`, given whether the rollback (if any) succeeded. */
export function exitFor(action: FailureAction, rollbackOk: boolean): 1 | 2 {
  return action === 'rollback' && rollbackOk ? 2 : 1;
}

export interface StepReport {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  detail: string;
}

export interface UpgradeReport {
  schemaVersion: 1;
  kind: 'upgrade' | 'rollback';
  instance: string;
  from: string;
  to: string;
  outcome: 'upgraded' | 'rolled-back' | 'failed';
  exitCode: 0 | 1 | 2;
  snapshotId?: string;
  failedStep?: string;
  action?: FailureAction;
  error?: string;
  steps: StepReport[];
  rollback?: { to: string; ok: boolean; durationMs: number; steps: StepReport[]; error?: string };
  durationMs: number;
}

/** The end of preflight's refusal when the version asked for already runs (the Ansible module reads it as "not changed"). */
export const ALREADY_RUNNING = 'is already the running version';

/** Refusals before anything runs (pure): not a version, below the minimum, or already there. */
export function preflightProblem(
  target: string,
  current: string | null,
  minimum: string,
  cmp: (a: string, b: string) => number,
  parse: (v: string) => unknown,
): string | undefined {
  if (!parse(target)) return `${target} is not an OpenClaw version (like 2026.9.6)`;
  if (cmp(target, minimum) < 0) return `${target} is below openclaw.minimumVersion ${minimum} (not security-patched)`;
  if (current === null) return 'no OpenClaw is installed for this instance (run `clawops apply` first)';
  if (cmp(target, current) === 0) return `openclaw ${current} ${ALREADY_RUNNING}`;
  return undefined;
}
