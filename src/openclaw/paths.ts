/** Where OpenClaw keeps things for one instance (derived from the resolved instance, never guessed elsewhere). */
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

/** `~/.openclaw/openclaw.json` */
export function configPath(inst: ResolvedInstance): string {
  return `${inst.stateDir}/openclaw.json`;
}

/** The agent workspace (`agents.defaults.workspace`): AGENTS.md, SOUL.md, IDENTITY.md, USER.md live here. */
export function workspaceDir(inst: ResolvedInstance): string {
  return `${inst.stateDir}/workspace`;
}

export function identityFilePath(inst: ResolvedInstance, file: string): string {
  return `${workspaceDir(inst)}/${file}`;
}

/** root-owned sha256 baseline of the identity files (only root can change it). */
export function identityBaselinePath(spec: ResolvedSpec, inst: ResolvedInstance): string {
  return `${spec.stateDir}/identity/${inst.name}.sha256`;
}

/** PATH the gateway and the `oc` wrapper run with: the instance's npm prefix first. */
export function servicePath(inst: ResolvedInstance): string {
  return `${inst.npmPrefix}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
}

/**
 * A private, persistent TMPDIR for the gateway and every openclaw CLI run (0700, service user):
 * 2026.2.x compiles its TypeScript with jiti into `$TMPDIR/jiti`; under PrivateTmp= a fresh /tmp
 * meant a full recompile (minutes on a small host) at every start.
 */
export function serviceTmpDir(inst: ResolvedInstance): string {
  return `${inst.stateDir}/tmp`;
}

/**
 * The gateway's file log directory: systemd creates it (`LogsDirectory=`, writable under
 * ProtectSystem=strict, 0750, the service user's) and it survives restarts, unlike OpenClaw's
 * default /tmp/openclaw under PrivateTmp=. Per instance: two gateways never share a log owner.
 */
export function logDir(inst: ResolvedInstance): string {
  return `/var/log/openclaw/${inst.name}`;
}

/** `logging.file`: OpenClaw rotates it itself at logging.maxFileBytes (100 MB), keeping 5 archives. */
export function logFilePath(inst: ResolvedInstance): string {
  return `${logDir(inst)}/gateway.log`;
}
