/**
 * What a spec implies beyond its keys, in one place for both readers of the host: the checks
 * judge by these and the resources plan by them, so the gate and apply cannot disagree.
 */
import type { ResolvedSpec } from './resolve.ts';

/** clawops manages the DOCKER-USER chain (and so the gate judges it) exactly when this holds. */
export const managesDockerUser = (spec: ResolvedSpec): boolean => spec.firewall.enabled && spec.firewall.dockerUser;

/** The supplementary groups a service user may have (docker, only by the spec's explicit opt-in); anything else is drift. */
export function serviceGroups(spec: ResolvedSpec): string[] {
  return spec.docker.enabled && spec.docker.serviceUserGroup ? ['docker'] : [];
}

/** The sandbox needs Docker and the service user has no way to it (the spec did not opt in to the docker group). */
export const sandboxLacksDocker = (spec: ResolvedSpec): boolean => spec.docker.enabled && spec.sandbox.mode !== 'off' && !spec.docker.serviceUserGroup;

/** Groups a service user is in beyond its own and the spec's: the gate fails on them, apply removes them. */
export function extraGroups(user: string, wanted: readonly string[], groups: readonly string[]): string[] {
  return groups.filter((g) => g !== user && !wanted.includes(g));
}
