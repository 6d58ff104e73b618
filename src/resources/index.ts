/**
 * Every area of the spec that plans resources registers itself on import. Add a line for a new
 * area (openclaw, monitoring, ...); `clawops plan/apply/undo/render` import this file.
 */
import { registerArea } from '../engine/registry.ts';
import { APT_ID } from './apt.ts';
import { firewallResources } from './firewall/index.ts';
import './host.ts';
import './self.ts'; // clawops and its spec on the target, before the openclaw area's timers that run them
import './openclaw.ts';
import '../render/host.ts';
import '../render/layers.ts';

// the firewall area (src/resources/firewall): after the packages that install ufw and iptables
registerArea({ name: 'firewall', resources: (spec) => firewallResources(spec, { dependsOn: [APT_ID] }) });
