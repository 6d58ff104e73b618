/** The operating-system layer of the runbooks, as one area: packages, Node, users, fail2ban, unattended-upgrades, Docker. */
import type { Area } from '../engine/registry.ts';
import type { Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { baselinePackages } from '../desired/packages.ts';
import { aptPackagesResource } from './apt.ts';
import { dockerResources } from './docker.ts';
import { fail2banResources } from './fail2ban.ts';
import { instanceResources } from './instances.ts';
import { nodeResources } from './node.ts';
import { hostPreflight } from './preflight.ts';
import { unattendedUpgradesResources } from './unattended.ts';

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
