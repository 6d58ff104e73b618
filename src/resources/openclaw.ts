/**
 * The OpenClaw area (src/openclaw): install, token, config, identity, unit, timers, `oc` wrapper.
 * Its resources depend on the host layer's `user:<name>` resources, so they apply after them.
 */
import type { Area } from '../engine/registry.ts';
import { openclawResources } from '../openclaw/index.ts';

export const openclawArea: Area = {
  name: 'openclaw',
  resources: (spec) =>
    spec.openclaw.manage ? openclawResources(spec, spec.openclaw.npmCache ? { npmCache: spec.openclaw.npmCache } : {}) : [],
};
