/** The operating-system layer of the runbooks, as one area: packages, Node, users, fail2ban, unattended-upgrades, Docker. */
import type { Area } from '../engine/registry.ts';
import type { Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { aptPackagesResource } from './apt.ts';
import { dockerResources } from './docker.ts';
import { fail2banResources } from './fail2ban.ts';
import { instanceResources } from './instances.ts';
import { nodeResources } from './node.ts';
import { hostPreflight } from './preflight.ts';
import { unattendedUpgradesResources } from './unattended.ts';

export function baselinePackages(spec: ResolvedSpec): string[] {
  const pkgs = [...spec.os.packages];
  if (spec.fail2ban.enabled) pkgs.push('fail2ban');
  if (spec.fail2ban.enabled && spec.fail2ban.sshd.backend === 'systemd') pkgs.push('python3-systemd');
  if (spec.unattendedUpgrades.enabled) pkgs.push('unattended-upgrades');
  return [...new Set(pkgs)];
}

export function hostResources(spec: ResolvedSpec): Resource[] {
  return [
    aptPackagesResource(baselinePackages(spec)),
    ...nodeResources(spec),
    ...instanceResources(spec),
    ...fail2banResources(spec),
    ...unattendedUpgradesResources(spec),
    ...dockerResources(spec),
  ];
}

export const hostArea: Area = {
  name: 'host',
  resources: hostResources,
  preflight: hostPreflight,
};
