/** Artifacts of the firewall and OpenClaw layers (the host layer's are in host.ts). */
import { renderDockerUserUnit, renderUfwRules } from '../resources/firewall/index.ts';
import { renderGatewayConfigFiles, renderOcWrapperFiles, renderSandboxDockerfileFiles, renderTimerFiles, renderUnitFiles } from '../openclaw/index.ts';
import type { Artifact } from './types.ts';

export const LAYER_ARTIFACTS: readonly Artifact[] = [
  {
    name: 'ufw',
    description: 'the ufw commands clawops runs, in order (firewall.*)',
    render: async (spec) => (spec.firewall.enabled ? [{ path: '(ufw commands)', content: renderUfwRules(spec) }] : []),
  },
  {
    name: 'docker-user',
    description: 'the boot unit that rebuilds the DOCKER-USER chain (firewall.dockerUser)',
    render: async (spec) =>
      spec.firewall.enabled && spec.firewall.dockerUser
        ? [{ path: '/etc/systemd/system/clawops-docker-user.service', content: renderDockerUserUnit(spec) }]
        : [],
  },
  {
    name: 'unit',
    description: 'the hardened systemd unit of each gateway instance (per OpenClaw version)',
    render: async (spec) => (spec.openclaw.manage ? renderUnitFiles(spec) : []),
  },
  {
    name: 'timers',
    description: 'the check timers and their services (monitoring.schedules)',
    render: async (spec) => (spec.openclaw.manage ? renderTimerFiles(spec) : []),
  },
  {
    name: 'gateway-config',
    description: 'the keys clawops manages in openclaw.json, as a merge patch (no token values)',
    render: async (spec) => (spec.openclaw.manage ? renderGatewayConfigFiles(spec) : []),
  },
  {
    name: 'oc-wrapper',
    description: 'the `oc` command: openclaw as the service user with its PATH',
    render: async (spec) => (spec.openclaw.manage ? renderOcWrapperFiles(spec) : []),
  },
  {
    name: 'sandbox-dockerfile',
    description: 'the Dockerfile of the sandbox image clawops builds (docker.enabled, sandbox.mode not off)',
    render: async (spec) => (spec.openclaw.manage ? renderSandboxDockerfileFiles(spec) : []),
  },
];
