/** Docker: the spec's daemon keys merged into /etc/docker/daemon.json (existing keys kept). */
import type { Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { progress } from './file.ts';
import { jsonMergeResource } from './json-merge.ts';

export const DAEMON_JSON = '/etc/docker/daemon.json';

const RESTART_IF_RUNNING = 'if systemctl is-active --quiet docker.service; then systemctl restart docker.service; fi';

export function dockerResources(spec: ResolvedSpec): Resource[] {
  if (!spec.docker.enabled) return [];
  return [
    jsonMergeResource({
      path: DAEMON_JSON,
      merge: spec.docker.daemon,
      specPath: 'docker.daemon',
      async afterChange(ex, journal) {
        progress(journal, 'restarting docker if it runs');
        await ex.run(['sh', '-c', RESTART_IF_RUNNING], { timeoutMs: 180_000 });
      },
    }),
  ];
}
