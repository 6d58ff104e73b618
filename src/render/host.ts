/** Artifacts of the host layer. */
import { DAEMON_JSON } from '../resources/docker.ts';
import { JAIL_LOCAL, renderJailLocal } from '../resources/fail2ban.ts';
import { mergedText } from '../resources/json-merge.ts';
import { NODESOURCE_LIST, NODESOURCE_PIN, nodesourceInputs, renderNodesourceList, renderNodesourcePin } from '../resources/node.ts';
import { AUTO_UPGRADES, renderAutoUpgrades } from '../resources/unattended.ts';
import { BANNER_FILES, COREDUMP_FILE, LIMITS_FILE, MODPROBE_FILE, PROFILE_UMASK_FILE, SYSTEMD_CORE_FILE, renderBanner, renderCoredumpConf, renderLimits, renderModprobe, renderProfileUmask, renderSystemdCore } from '../baseline/render.ts';
import { SYSCTL_FILE, renderSysctl, wantedSysctls } from '../baseline/sysctl.ts';
import type { Artifact } from './types.ts';

export const HOST_ARTIFACTS: readonly Artifact[] = [
  {
    name: 'jail.local',
    description: `fail2ban ${JAIL_LOCAL} (fail2ban.*)`,
    render: async (spec) => (spec.fail2ban.enabled ? [{ path: JAIL_LOCAL, content: renderJailLocal(spec) }] : []),
  },
  {
    name: 'daemon.json',
    description: `${DAEMON_JSON} after merging docker.daemon into the target's current file`,
    async render(spec, ex) {
      if (!spec.docker.enabled) return [];
      const cur = await ex.readFile(DAEMON_JSON);
      return [{ path: DAEMON_JSON, content: mergedText(cur?.toString('utf8'), spec.docker.daemon, DAEMON_JSON, 'docker.daemon') }];
    },
  },
  {
    name: 'auto-upgrades',
    description: `unattended-upgrades ${AUTO_UPGRADES} (unattendedUpgrades.enabled)`,
    render: async (spec) => (spec.unattendedUpgrades.enabled ? [{ path: AUTO_UPGRADES, content: renderAutoUpgrades() }] : []),
  },
  {
    name: 'nodesource.list',
    description: `NodeSource apt source and pin (node.source: nodesource, from node.repository)`,
    async render(spec) {
      if (spec.node.source !== 'nodesource') return [];
      const { url } = nodesourceInputs(spec);
      return [
        { path: NODESOURCE_LIST, content: renderNodesourceList(spec, url) },
        { path: NODESOURCE_PIN, content: renderNodesourcePin(url) },
      ];
    },
  },
  {
    name: 'sysctl',
    description: `the baseline's kernel settings, each with why: ${SYSCTL_FILE} (baseline.sysctl, baseline.coreDumps)`,
    render: async (spec) => {
      const wanted = wantedSysctls(spec);
      return wanted.length ? [{ path: SYSCTL_FILE, content: renderSysctl(wanted) }] : [];
    },
  },
  {
    name: 'baseline',
    description: 'the host baseline\'s other files: module rules, core-dump limits, login umask, banner (baseline.*)',
    render: async (spec) => {
      const b = spec.baseline;
      return [
        ...(b.modules ? [{ path: MODPROBE_FILE, content: renderModprobe() }] : []),
        ...(b.coreDumps ? [{ path: LIMITS_FILE, content: renderLimits() }, { path: SYSTEMD_CORE_FILE, content: renderSystemdCore() }, { path: COREDUMP_FILE, content: renderCoredumpConf() }] : []),
        ...(b.umask ? [{ path: PROFILE_UMASK_FILE, content: renderProfileUmask() }] : []),
        ...(b.banner !== false ? BANNER_FILES.map((path) => ({ path, content: renderBanner(b.banner as string) })) : []),
      ];
    },
  },
];
