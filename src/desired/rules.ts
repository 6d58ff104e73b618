import { compareVersions } from '../openclaw/versions.ts';
import { resolveInstances } from './resolve.ts';
import type { SpecData } from './schema.ts';

export interface RuleViolation {
  path: PropertyKey[];
  message: string;
}

/** Rules that span fields, checked after the schema; each names the path it is about. */
export function specRules(data: SpecData): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (compareVersions(data.openclaw.version, data.openclaw.minimumVersion) < 0) {
    out.push({
      path: ['openclaw', 'version'],
      message: `${data.openclaw.version} is below the minimum patched version ${data.openclaw.minimumVersion}`,
    });
  }
  const seen = { name: new Map<string, number>(), user: new Map<string, number>(), port: new Map<number, number>() };
  resolveInstances(data).forEach((inst, i) => {
    for (const key of ['name', 'user', 'port'] as const) {
      const map = seen[key] as Map<string | number, number>;
      const prev = map.get(inst[key]);
      if (prev !== undefined) {
        out.push({ path: ['instances', i, key], message: `${key} ${inst[key]} is already used by instances[${prev}]` });
      } else map.set(inst[key], i);
    }
  });
  for (const [channel, ids] of Object.entries(data.tools.elevated.allowFrom)) {
    ids.forEach((id, j) => {
      if (id.includes('*')) {
        out.push({
          path: ['tools', 'elevated', 'allowFrom', channel, j],
          message: 'a wildcard lets anyone on the channel run commands on the host; list sender ids',
        });
      }
    });
  }
  if (data.tools.elevated.enabled && Object.keys(data.tools.elevated.allowFrom).length === 0) {
    out.push({
      path: ['tools', 'elevated', 'allowFrom'],
      message: 'elevated tools are enabled with no allowFrom list; disable them or list sender ids',
    });
  }
  if (data.gateway.controlUi.enabled && data.gateway.bind !== 'loopback') {
    out.push({ path: ['gateway', 'bind'], message: 'the control UI may only be served on loopback (use Tailscale Serve)' });
  }
  return out;
}
