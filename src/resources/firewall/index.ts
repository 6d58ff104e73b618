/**
 * The firewall area: UFW (defaults, management interfaces, hardened outbound, SSH safety net) and
 * the DOCKER-USER chain, every risky change applied under the lock-out guard.
 */
import type { Area } from '../../engine/registry.ts';
import type { Resource } from '../../engine/types.ts';
import { APT_ID } from '../apt.ts';
import { defaultConfirmConnection } from '../../firewall/confirm.ts';
import { renderPersistUnit } from '../../firewall/docker-user.ts';
import type { OpenConfirmConnection } from '../../firewall/guard.ts';
import { addArgv, desiredDefaults, desiredUfwRules } from '../../firewall/ufw-rules.ts';
import { shellQuote } from '../../core/errors.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { managesDockerUser } from '../../desired/policy.ts';
import { DockerUserResource } from './docker-user.ts';
import { UfwResource } from './ufw.ts';

export { DOCKER_USER_RESOURCE_ID } from './docker-user.ts';
export { UFW_RESOURCE_ID } from '../../firewall/ufw-plan.ts';

export interface FirewallOptions {
  /**
   * Opens a NEW connection to the target through the management path, used to confirm each
   * guarded change (default: a fresh executor for the same target; pass one for ssh targets with
   * their own identity file or known_hosts, or to confirm through another address).
   */
  openConfirmConnection?: OpenConfirmConnection;
  /** ids of resources that must apply first (e.g. the package resource installing ufw) */
  dependsOn?: readonly string[];
}

export function firewallResources(spec: ResolvedSpec, opts: FirewallOptions = {}): Resource[] {
  const fw = spec.firewall;
  if (!fw.enabled) return [];
  const guard = {
    dir: `${spec.stateDir}/firewall-guard`,
    timeoutSec: fw.confirmTimeoutSec,
    openConfirmConnection: opts.openConfirmConnection ?? defaultConfirmConnection,
  };
  const ufw = new UfwResource({ firewall: fw, gatewayPorts: spec.resolved.map((i) => i.port), stateDir: spec.stateDir }, guard, opts.dependsOn);
  const out: Resource[] = [ufw as unknown as Resource];
  if (managesDockerUser(spec)) {
    out.push(new DockerUserResource(fw.managementInterfaces, guard, [ufw.id]) as unknown as Resource);
  }
  return out;
}

/** `clawops render ufw`: the commands clawops runs to reach the spec's rules, in order. */
export function renderUfwRules(spec: ResolvedSpec): string {
  const fw = spec.firewall;
  const d = desiredDefaults(fw);
  const lines = [
    '# ufw rules clawops manages (applied in this order; each risky step reverts by itself unless confirmed)',
    ...desiredUfwRules(fw).map((r) => addArgv(r).map(shellQuote).join(' ')),
    `ufw default ${d.incoming} incoming`,
    `ufw default ${d.outgoing} outgoing`,
    `ufw default ${d.routed} routed`,
    'ufw --force enable',
  ];
  if (!fw.sshSafetyNet) lines.push("ufw delete allow 22/tcp   # the SSH safety net, once no session depends on it");
  return `${lines.join('\n')}\n`;
}

/** `clawops render docker-user`: the unit that rebuilds the DOCKER-USER chain at boot. */
export function renderDockerUserUnit(spec: ResolvedSpec): string {
  return renderPersistUnit(spec.firewall.managementInterfaces);
}

/** The firewall area: after the packages that install ufw and iptables. */
export const firewallArea: Area = { name: 'firewall', resources: (spec) => firewallResources(spec, { dependsOn: [APT_ID] }) };
