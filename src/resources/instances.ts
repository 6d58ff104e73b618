/** Per instance: its own system user, home (0700) and OpenClaw state directory (~/.openclaw, 0700). */
import type { Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { directoryResource } from './directory.ts';
import { serviceGroups } from '../desired/policy.ts';
import { userId, userResource } from './user.ts';

export function instanceResources(spec: ResolvedSpec): Resource[] {
  const out: Resource[] = [];
  for (const inst of spec.resolved) {
    out.push(userResource({ name: inst.user, home: inst.home, groups: serviceGroups(spec) }));
    const home = directoryResource({ path: inst.home, mode: 0o700, owner: inst.user, dependsOn: [userId(inst.user)] });
    out.push(home);
    out.push(directoryResource({ path: inst.stateDir, mode: 0o700, owner: inst.user, dependsOn: [userId(inst.user), home.id] }));
  }
  return out;
}
