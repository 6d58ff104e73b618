/**
 * Waivers: `{ waivers: [{ id, reason, expires: YYYY-MM-DD, instance? }] }` (YAML or JSON), read by
 * ./waivers-file.ts. A waiver turns a failing or unknown result into `waived`; an expired one no
 * longer applies and makes `waivers.valid` fail. `audit:<checkId>` waives one OpenClaw audit finding.
 */

export interface WaiverData {
  id: string;
  reason: string;
  /** YYYY-MM-DD: the waiver applies until the end of that day, UTC */
  expires: string;
  instance?: string | undefined;
}

export interface WaiverSet {
  source: string;
  active: WaiverData[];
  expired: WaiverData[];
  problems: string[];
}

export const NO_WAIVERS: WaiverSet = { source: '(none)', active: [], expired: [], problems: [] };

/** End of the expiry day, UTC. */
export function expiresAt(w: WaiverData): number {
  return Date.parse(`${w.expires.slice(0, 10)}T23:59:59.999Z`);
}

export function findWaiver(set: WaiverSet, id: string, instance: string | undefined): WaiverData | undefined {
  return set.active.find((w) => w.id === id && (w.instance === undefined || w.instance === instance));
}

export function auditWaivers(set: WaiverSet, instance: string): string[] {
  return set.active.filter((w) => w.id.startsWith('audit:') && (w.instance === undefined || w.instance === instance)).map((w) => w.id.slice(6));
}
