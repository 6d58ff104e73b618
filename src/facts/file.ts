/**
 * A facts file: every probe's raw output from one run (`clawops facts --out FILE`), evaluated
 * later with `clawops check --facts FILE`. Secret values never enter it: probes sanitise what they
 * know (secrets.ts), then the whole bundle goes through core/redact's allow-list (only the header
 * fields are kept as they are; registered values and credential shapes anywhere else become
 * descriptors) and the spec's repository loses its userinfo.
 */
import { readFile } from 'node:fs/promises';
import { ClawopsError } from '../core/errors.ts';
import { redactStructured, safeUrl } from '../core/redact.ts';
import { Spec } from '../desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../desired/resolve.ts';
import type { Raw } from './types.ts';

export const FACTS_SCHEMA_VERSION = 1;
/** Fields of a facts bundle kept as they are (everything else: redacted by value and by shape). */
const FACTS_SAFE = ['kind', 'target', 'collectedAt', 'profile'];

export interface FactsFile {
  schemaVersion: number;
  kind: 'clawops-facts';
  target: string;
  collectedAt: string;
  profile: string;
  /** the spec the facts were collected for (no secrets: specs hold only references) */
  spec: unknown;
  raw: Record<string, Raw>;
}

export function factsFile(target: string, collectedAt: Date, profile: string, spec: ResolvedSpec, raw: ReadonlyMap<string, Raw>): FactsFile {
  const { resolved: _r, ...data } = spec;
  const safeSpec = { ...data, backup: { ...data.backup, repository: safeUrl(data.backup.repository) } };
  const file: FactsFile = {
    schemaVersion: FACTS_SCHEMA_VERSION, kind: 'clawops-facts', target, collectedAt: collectedAt.toISOString(), profile, spec: safeSpec, raw: Object.fromEntries(raw),
  };
  // the spec is validated to hold references only (a literal secret is refused), and its key names
  // (`schedules.credentials`, `auth.token`) are not secrets: only the probes' output is redacted by shape
  return { ...redactStructured({ ...file, spec: null }, FACTS_SAFE), spec: safeSpec };
}

export async function loadFactsFile(path: string): Promise<{ file: FactsFile; spec: ResolvedSpec; raw: Map<string, Raw>; collectedAt: Date }> {
  let file: FactsFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as FactsFile;
  } catch (cause) {
    throw new ClawopsError(`cannot read facts file ${path}: ${(cause as Error).message.split('\n')[0]}`, { cause, hint: 'record one with `clawops facts --out FILE`' });
  }
  if (file.kind !== 'clawops-facts' || file.schemaVersion !== FACTS_SCHEMA_VERSION || typeof file.raw !== 'object') {
    throw new ClawopsError(`${path} is not a clawops facts file (schemaVersion ${FACTS_SCHEMA_VERSION})`, { hint: 'record one with `clawops facts --out FILE`' });
  }
  const parsed = Spec.safeParse(file.spec ?? {});
  if (!parsed.success) throw new ClawopsError(`${path}: the recorded spec is invalid: ${parsed.error.issues[0]?.message}`, { hint: 'pass the spec with -f' });
  const collectedAt = new Date(file.collectedAt);
  return { file, spec: resolveSpec(parsed.data), raw: new Map(Object.entries(file.raw)), collectedAt: Number.isNaN(collectedAt.getTime()) ? new Date() : collectedAt };
}
