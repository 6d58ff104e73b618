/** Parsing a waivers file (YAML or JSON) into a WaiverSet; see ./waivers.ts. */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { expiresAt, type WaiverData, type WaiverSet } from './waivers.ts';

export const Waiver = z.strictObject({
  id: z.string().min(1),
  reason: z.string().min(3),
  expires: z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v)).pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must be a date YYYY-MM-DD')),
  instance: z.string().optional(),
});

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

