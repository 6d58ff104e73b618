/**
 * Where clawops keeps the records the gate reads. Writers (apply, backup, drill, timers) and the
 * checks import these, so the two sides cannot drift.
 */
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

export const PROFILES = ['go-live', 'health', 'security', 'credentials', 'restart', 'backup', 'integrity'] as const;
export type Profile = (typeof PROFILES)[number];

/** The systemd timer that runs `clawops check --profile P` (one per scheduled profile). */
export function timerUnit(profile: Exclude<Profile, 'go-live'>): string {
  return `clawops-${profile}.timer`;
}

export function unitFilePath(inst: ResolvedInstance): string {
  return `/etc/systemd/system/${inst.unit}`;
}

// OpenClaw's own paths have one home (src/openclaw/paths.ts): the writer and the checks share it.
export { configPath, identityBaselinePath, inventoryBaselinePath, workspaceDir } from '../openclaw/paths.ts';

/** BackupRecord JSON written by `clawops backup run` (src/backup/records.ts). */
export function lastBackupPath(spec: ResolvedSpec): string {
  return `${spec.stateDir}/backup/last.json`;
}

/** DrillRecord JSON written by `clawops drill` (src/backup/records.ts). */
export function lastDrillPath(spec: ResolvedSpec): string {
  return `${spec.stateDir}/backup/drill.json`;
}
export const DOCKER_DAEMON_JSON = '/etc/docker/daemon.json';
export const UNATTENDED_CONF = '/etc/apt/apt.conf.d/20auto-upgrades';

/** The Tailscale-down SSH fallback's unit (access.sshFallback; openclaw/timers.ts renders it). */
export const FALLBACK_UNIT = 'clawops-ssh-fallback';
