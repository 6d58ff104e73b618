/**
 * Every area of the spec that plans resources registers itself on import. Add a line for a new
 * area (firewall, openclaw, monitoring, ...); `clawops plan/apply/undo/render` import this file.
 */
import './host.ts';
import '../render/host.ts';
