/**
 * Credential age (the hardened guide's rotation table): each credential with an interval is judged
 * by its last setting on record (`<stateDir>/credentials.json`: apply and rotate note it) or, with
 * none, by the last change of the file that holds it, a lower bound of its age. Past its interval
 * it fails with the exact command that rotates it.
 */
import { credentialsOf, type Credential } from '../credentials/inventory.ts';
import { credentialsRecordPath, parseCredentialRecord, type CredentialRecord } from '../credentials/record.ts';
import { fileStat, textFile } from '../facts/system.ts';
import { type FactReader, isUnknown, known, ref } from '../facts/types.ts';
import { list } from './helpers.ts';
import { type CheckDef, fail, pass, skipped, unknownV } from './types.ts';

const DAY_MS = 86_400_000;

export interface CredentialAge {
  credential: Credential;
  /** whole days since it was set; null: unknown (reason) or never set */
  days: number | null;
  basis: string;
  overdue: boolean;
}

/** Pure: the age of one credential from the record, else from its file's last change. */
export function credentialAge(c: Credential, rec: CredentialRecord, f: FactReader, now: Date): CredentialAge {
  const note = rec[c.id];
  const since = (ms: number, basis: string): CredentialAge => {
    const days = Math.max(0, Math.floor((now.getTime() - ms) / DAY_MS));
    return { credential: c, days, basis, overdue: c.intervalDays > 0 && days > c.intervalDays };
  };
  if (note) return since(Date.parse(note.at), `${note.how === 'rotate' ? 'rotated' : 'set by apply'} ${note.at.slice(0, 10)}`);
  const st = f.get(ref(fileStat, c.stored));
  if (isUnknown(st)) return { credential: c, days: null, basis: `no rotation on record and ${c.stored} cannot be read: ${st.unknown}`, overdue: false };
  if ('missing' in st) return { credential: c, days: null, basis: `not set yet (${c.stored} is missing)`, overdue: false };
  return since(st.mtimeMs, `no rotation on record; ${c.stored} unchanged since ${new Date(st.mtimeMs).toISOString().slice(0, 10)}`);
}

const recordRef = (stateDir: string) => ref(textFile, credentialsRecordPath(stateDir));
const show = (a: CredentialAge) => `${a.credential.id} ${a.days === null ? '?' : `${a.days} d`}${a.credential.intervalDays > 0 ? ` of ${a.credential.intervalDays}` : ''} (${a.basis})`;

export const credentialChecks: CheckDef[] = [
  {
    id: 'credentials.age',
    title: 'Every credential was rotated within its interval (gateway token, provider keys, bot tokens)',
    area: 'access', severity: 'warn', profiles: ['go-live', 'credentials'], scope: 'host',
    runbook: 'hardened guide "Credential rotation" (gateway token and LLM API keys quarterly, bot tokens on compromise)',
    remediation: 'clawops rotate gateway-token | clawops rotate key <credential> (the exact command per credential is in the evidence); a longer interval: credentials.*Days in the spec',
    needs: (ctx) => {
      const creds = credentialsOf(ctx.spec).filter((c) => c.intervalDays > 0);
      return creds.length === 0 ? [] : [recordRef(ctx.spec.stateDir), ...creds.map((c) => ref(fileStat, c.stored))];
    },
    evaluate(f, ctx) {
      const creds = credentialsOf(ctx.spec).filter((c) => c.intervalDays > 0);
      if (creds.length === 0) return skipped('no credential has a rotation interval (credentials.*Days are 0)');
      const rec = parseCredentialRecord(known(f, recordRef(ctx.spec.stateDir)).content);
      const ages = creds.map((c) => credentialAge(c, rec, f, ctx.now));
      const overdue = ages.filter((a) => a.overdue);
      if (overdue.length > 0) {
        return fail(`past the rotation interval: ${list(overdue.map(show))}`, overdue.map((a) => a.credential.rotate).join('; '));
      }
      const unread = ages.filter((a) => a.days === null && !a.basis.startsWith('not set yet'));
      if (unread.length === ages.length) return unknownV(list(unread.map(show)));
      return pass(list(ages.map(show)));
    },
  },
];
