/**
 * `clawops signoff`: the runbook's go-live sign-off. It refuses, naming each precondition that
 * fails, until: the burn-in is complete (burnIn.days clean days), the go-live gate passes now
 * (every check but config.frozen itself, which a reviewed change is signed off over), a restore
 * drill succeeded within the last 7 days, and the last successful backup is within the RPO. Then
 * it freezes the state (frozen.ts) into <stateDir>/frozen.json and the ledger; from then on the
 * `config.frozen` check reports any drift from it, until the next sign-off.
 */
import { ageHours, parseBackupRecord, parseDrillRecord } from '../backup/records.ts';
import { blocks, type FailOn } from '../checks/run.ts';
import type { CheckResult } from '../checks/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { lastBackupPath, lastDrillPath } from '../facts/paths.ts';
import { textFile } from '../facts/system.ts';
import { isUnknown, ref, type FactReader } from '../facts/types.ts';
import type { BurninStatus } from './burnin.ts';
import { frozenDigests, type FrozenRecord } from './frozen.ts';

export const SIGNOFF_DRILL_MAX_DAYS = 7;

export interface Precondition {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SignoffInput {
  spec: ResolvedSpec;
  now: Date;
  burnin: BurninStatus;
  results: readonly CheckResult[];
  facts: FactReader;
  failOn: FailOn;
  allowUnknown: boolean;
}

const text = (f: FactReader, path: string): string | null => {
  const v = f.get(ref(textFile, path));
  return isUnknown(v) ? null : v.content;
};

export function preconditions(i: SignoffInput): Precondition[] {
  const b = i.burnin;
  const blocking = i.results.filter((r) => r.id !== 'config.frozen' && blocks(r, i.failOn, i.allowUnknown));
  const drill = parseDrillRecord(text(i.facts, lastDrillPath(i.spec)));
  const drillAt = drill?.lastSuccessAt ?? (drill?.ok ? drill.finishedAt : undefined);
  const drillDays = drillAt ? ageHours(drillAt, i.now) / 24 : Infinity;
  const backup = parseBackupRecord(text(i.facts, lastBackupPath(i.spec)));
  const backupAt = backup?.lastSuccessAt ?? (backup?.ok ? backup.finishedAt : undefined);
  const backupHours = backupAt ? ageHours(backupAt, i.now) : Infinity;
  return [
    {
      name: 'burn-in',
      ok: b.complete,
      detail: b.complete ? `${b.streak} consecutive clean days` : `day ${b.streak} of ${b.target}${b.days.find((d) => !d.clean) ? `; ${b.days.find((d) => !d.clean)!.day}: ${b.days.find((d) => !d.clean)!.reasons.join('; ')}` : ''}${b.today.clean ? '' : `; today: ${b.today.reasons.join('; ')}`}`,
    },
    {
      name: 'go-live gate',
      ok: blocking.length === 0,
      detail: blocking.length === 0 ? `passes now (${i.results.length} checks)` : `fails now: ${blocking.map((r) => `${r.id}${r.instance ? `[${r.instance}]` : ''} ${r.status}`).join(', ')}`,
    },
    {
      name: 'restore drill',
      ok: drillDays <= SIGNOFF_DRILL_MAX_DAYS,
      detail: drillAt ? `last successful drill ${drillDays.toFixed(1)} days ago (needed: within ${SIGNOFF_DRILL_MAX_DAYS})` : `no successful restore drill recorded (run \`clawops drill\`)`,
    },
    {
      name: 'backup',
      ok: backupHours <= i.spec.dr.rpoHours,
      detail: backupAt ? `last successful backup ${backupHours.toFixed(1)} h ago (RPO ${i.spec.dr.rpoHours} h)` : 'no successful backup recorded (run `clawops backup run`)',
    },
  ];
}

/** The record to freeze, or what cannot be read (nothing is frozen then). */
export function freeze(f: FactReader, spec: ResolvedSpec, now: Date, by: string): { record: FrozenRecord } | { unreadable: string[] } {
  const digests = frozenDigests(f, spec);
  const unreadable = Object.entries(digests).filter(([, d]) => d.startsWith('unknown: ')).map(([n, d]) => `${n} (${d.slice(9)})`);
  if (unreadable.length) return { unreadable };
  return { record: { schemaVersion: 1, signedOffAt: now.toISOString(), by, digests } };
}
