/** Artifacts of the host layer. */
import { DAEMON_JSON } from '../resources/docker.ts';
import { JAIL_LOCAL, renderJailLocal } from '../resources/fail2ban.ts';
import { mergedText } from '../resources/json-merge.ts';
import { NODESOURCE_LIST, NODESOURCE_PIN, nodesourceInputs, renderNodesourceList, renderNodesourcePin } from '../resources/node.ts';
import { AUTO_UPGRADES, renderAutoUpgrades } from '../resources/unattended.ts';
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
];
