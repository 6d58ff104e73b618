/**
 * The containment record: what `clawops emergency contain` found and did, so that `lift` puts back
 * exactly the state before it (a unit that was disabled stays disabled) and every other command can
 * see that the host is contained. It is written before the first change and keeps the state of the
 * first run: a second contain (or one restarted after being killed) must not record the contained
 * state as the state to return to. Root's, 0600, in the state dir (core/lock.ts refuses other
 * commands while it exists).
 */
import { containedPath } from '../core/lock.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';

export const CONTAIN_SCHEMA_VERSION = 1;

export interface ContainedInstance {
  name: string;
  unit: string;
  user: string;
  /** null: the user does not exist on the host */
  uid: number | null;
  wasEnabled: boolean;
  /** active, activating (a crash loop between restarts) or reloading */
  wasActive: boolean;
  /** root-equivalent groups contain took the user out of (docker), put back by lift */
  removedGroups: string[];
  /** the account's expiry before contain expired it (/etc/shadow field 8; '' = never) */
  expiry: string;
}

export interface PausedTimer {
  unit: string;
  /** why contain pauses it */
  why: string;
  wasEnabled: boolean;
  wasActive: boolean;
}

export interface ContainRecord {
  schemaVersion: typeof CONTAIN_SCHEMA_VERSION;
  at: string;
  reason: string;
  /** the ledger's incident, once opened */
  incident: number | null;
  instances: ContainedInstance[];
  timers: PausedTimer[];
  /** sandbox containers contain stopped (kept for inspection), with their restart policy before */
  containers: string[];
  restartPolicies: Record<string, string>;
  /** outbound traffic of the service users is allowed only out of these interfaces */
  allowInterfaces: string[];
}

export const containRecordPath = (spec: ResolvedSpec): string => containedPath(spec.stateDir);

const isRecord = (x: unknown): x is ContainRecord => {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Partial<ContainRecord>;
  return r.schemaVersion === CONTAIN_SCHEMA_VERSION && typeof r.at === 'string' && typeof r.reason === 'string'
    && Array.isArray(r.instances) && Array.isArray(r.timers) && Array.isArray(r.containers) && Array.isArray(r.allowInterfaces)
    && typeof r.restartPolicies === 'object' && r.restartPolicies !== null;
};

/** Pure: the record's text. null: not contained; a text that is not a record is an error naming the file. */
export function parseContainRecord(text: string | null, path: string): ContainRecord | null {
  if (text === null) return null;
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} does not parse: ${(err as Error).message}`);
  }
  if (!isRecord(j)) throw new Error(`${path} is not a containment record (schemaVersion ${CONTAIN_SCHEMA_VERSION})`);
  return j;
}

export async function readContainRecord(ex: Executor, spec: ResolvedSpec): Promise<ContainRecord | null> {
  const path = containRecordPath(spec);
  return parseContainRecord((await ex.readFile(path))?.toString('utf8') ?? null, path);
}

export async function writeContainRecord(ex: Executor, spec: ResolvedSpec, r: ContainRecord): Promise<void> {
  await ex.writeFile(containRecordPath(spec), `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}

export async function removeContainRecord(ex: Executor, spec: ResolvedSpec): Promise<void> {
  await ex.run(['rm', '-f', '--', containRecordPath(spec)]);
}

/** A record that does not parse is moved aside (never overwritten: it may be all that says what to restore). */
export async function moveAsideContainRecord(ex: Executor, spec: ResolvedSpec, now: Date): Promise<string> {
  const to = `${containRecordPath(spec)}.unreadable-${now.toISOString().replace(/[:.]/g, '')}`;
  await ex.run(['mv', '-n', '--', containRecordPath(spec), to]);
  return to;
}

/** While a recover runs (and after one was interrupted): the incident it resolves when the gate passes. */
export const recoveringPath = (spec: ResolvedSpec): string => `${spec.stateDir}/recovering.json`;

/** The drop-in that keeps a contained gateway from starting, by anyone, across reboots, until lift removes it. */
export const holdDropIn = (unit: string): string => `/etc/systemd/system/${unit}.d/zz-clawops-contained.conf`;
export const holdDropInText = (spec: ResolvedSpec): string =>
  `# clawops emergency contain: this gateway does not start while ${containRecordPath(spec)} exists.\n# Removed by \`clawops emergency lift\` or \`recover\`.\n[Unit]\nAssertPathExists=!${containRecordPath(spec)}\n`;
