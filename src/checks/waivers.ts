/**
 * Waivers: `{ waivers: [{ id, reason, expires: YYYY-MM-DD, instance? }] }` (YAML or JSON).
 * A waiver turns a failing or unknown result into `waived`; an expired one no longer applies and
 * makes `waivers.valid` fail. `audit:<checkId>` waives one OpenClaw audit finding.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const Waiver = z.strictObject({
  id: z.string().min(1),
  reason: z.string().min(3),
  expires: z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v)).pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must be a date YYYY-MM-DD')),
  instance: z.string().optional(),
});
export type WaiverData = z.output<typeof Waiver>;

export interface WaiverSet {
  source: string;
  active: WaiverData[];
  expired: WaiverData[];
  problems: string[];
}

export const NO_WAIVERS: WaiverSet = { source: '(none)', active: [], expired: [], problems: [] };

/** End of the expiry day, UTC. */
function expiresAt(w: WaiverData): number {
  return Date.parse(`${w.expires.slice(0, 10)}T23:59:59.999Z`);
}

export function parseWaivers(text: string, source: string, now: Date): WaiverSet {
  const set: WaiverSet = { source, active: [], expired: [], problems: [] };
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    set.problems.push(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return set;
  }
  const list = Array.isArray(doc) ? doc : (doc as { waivers?: unknown }).waivers ?? [];
  if (!Array.isArray(list)) {
    set.problems.push(`${source}: "waivers" must be a list`);
    return set;
  }
  list.forEach((item, i) => {
    const r = Waiver.safeParse(item);
    if (!r.success) {
      set.problems.push(`${source}: waivers[${i}]: ${r.error.issues.map((x) => `${x.path.join('.') || '(entry)'} ${x.message}`).join(', ')}`);
      return;
    }
    if (Number.isNaN(expiresAt(r.data))) set.problems.push(`${source}: waivers[${i}] (${r.data.id}): invalid expiry ${r.data.expires}`);
    else if (expiresAt(r.data) < now.getTime()) {
      set.expired.push(r.data);
      set.problems.push(`waiver for ${r.data.id} EXPIRED on ${r.data.expires.slice(0, 10)} ("${r.data.reason}") — it no longer applies`);
    } else set.active.push(r.data);
  });
  return set;
}

export function findWaiver(set: WaiverSet, id: string, instance: string | undefined): WaiverData | undefined {
  return set.active.find((w) => w.id === id && (w.instance === undefined || w.instance === instance));
}

export function auditWaivers(set: WaiverSet, instance: string): string[] {
  return set.active.filter((w) => w.id.startsWith('audit:') && (w.instance === undefined || w.instance === instance)).map((w) => w.id.slice(6));
}
