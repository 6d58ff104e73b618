/**
 * When each credential was last set: `<stateDir>/credentials.json` (root 0600; times only, never a
 * value). `clawops apply` notes a credential it writes (a token it generates, a key whose reference
 * changed) and `clawops rotate` one it rotates; `credentials.age` reads it. Written under the host
 * lock, read-modify-write through one atomic write.
 */
import type { Executor } from '../exec/types.ts';

export interface CredentialNote {
  /** ISO time the value was set */
  at: string;
  /** what set it */
  how: 'apply' | 'rotate';
}

export type CredentialRecord = Record<string, CredentialNote>;

/** The record's id of an instance's gateway token (keys and bot tokens go by their owner: provider:<id>, channel:<id>). */
export const gatewayTokenId = (instance: string): string => `gateway-token:${instance}`;

export const credentialsRecordPath = (stateDir: string): string => `${stateDir}/credentials.json`;

const isNote = (x: unknown): x is CredentialNote =>
  x !== null && typeof x === 'object' && typeof (x as CredentialNote).at === 'string' && !Number.isNaN(Date.parse((x as CredentialNote).at))
  && ((x as CredentialNote).how === 'apply' || (x as CredentialNote).how === 'rotate');

/** Pure: the record's text; absent, unparsable or foreign entries read as no entry (the age falls back to file times). */
export function parseCredentialRecord(text: string | null): CredentialRecord {
  if (text === null) return {};
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return {};
  }
  const creds = j !== null && typeof j === 'object' ? (j as { credentials?: unknown }).credentials : undefined;
  if (creds === null || typeof creds !== 'object') return {};
  return Object.fromEntries(Object.entries(creds as Record<string, unknown>).filter((e): e is [string, CredentialNote] => isNote(e[1])));
}

/** Records `ids` as set now. A failure to record never undoes the change it records: the caller reports it. */
export async function noteCredentials(ex: Executor, stateDir: string, ids: readonly string[], how: CredentialNote['how'], now = new Date()): Promise<void> {
  if (ids.length === 0) return;
  const path = credentialsRecordPath(stateDir);
  const rec = parseCredentialRecord((await ex.readFile(path))?.toString('utf8') ?? null);
  for (const id of ids) rec[id] = { at: now.toISOString(), how };
  const sorted = Object.fromEntries(Object.entries(rec).sort(([a], [b]) => a.localeCompare(b)));
  // the host lock makes the state dir; a resource applied by itself (tests, the engine alone) may come first
  await ex.run(['mkdir', '-p', '-m', '0700', '--', stateDir]);
  await ex.writeFile(path, `${JSON.stringify({ schemaVersion: 1, credentials: sorted }, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}
