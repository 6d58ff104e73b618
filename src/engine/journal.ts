/**
 * The apply journal on the target: `<stateDir>/journal/<applyId>/` (0700) holds `apply.json`
 * (status, times, summary) and numbered entries: the before-image of every path an apply touches
 * (bytes, owner, mode; or that it did not exist), and every non-file step with the argv that
 * undoes it. Entries are written before the change they describe, so an interrupted apply can
 * still be undone.
 *
 * Secrets: the before-image of a file that holds one (mode without group/other access, like env
 * files, openclaw.json and password files; or content holding a registered secret value) goes to
 * `<applyId>/secret/` instead of `entries/`, and backups leave `journal/<id>/secret` out
 * (backup/plan.ts): the live file is in the backup already, a second clear copy per apply is not.
 * Descriptions and errors are redacted. Journals older than `journal.retentionDays` are pruned at
 * the start of each apply; the newest one is always kept, so `clawops undo` works.
 */
import { safeRead } from '../core/safe-fs.ts';
import { randomBytes } from 'node:crypto';
import { ClawopsError } from '../core/errors.ts';
import { holdsSecret, redact } from '../core/redact.ts';
import type { Executor } from '../exec/types.ts';
import { sha256 } from './hash.ts';
import type { PlanSummary, ProgressJournal } from './types.ts';

export type ApplyStatus = 'running' | 'complete' | 'failed' | 'undone';

export interface ApplyRecord {
  schemaVersion: 1;
  id: string;
  target: string;
  status: ApplyStatus;
  startedAt: string;
  finishedAt?: string;
  undoneAt?: string;
  summary: PlanSummary;
  error?: string;
}

export type BeforeImage =
  | { type: 'absent' }
  /** `secret`: the blob is in `secret/` (kept out of backups), not `entries/` */
  | { type: 'file'; mode: number; owner: string; group: string; sha256: string; blob: string; secret?: true }
  | { type: 'directory'; mode: number; owner: string; group: string }
  | { type: 'symlink'; target: string };

export type JournalEntry =
  | { seq: number; kind: 'file'; path: string; before: BeforeImage }
  | { seq: number; kind: 'step'; description: string; undoArgv: string[] | null };

export const journalRoot = (stateDir: string) => `${stateDir}/journal`;
/** Where a before-image's bytes are, relative to the journal dir. */
export const blobPath = (before: { blob: string; secret?: true }) => `${before.secret ? SECRET_DIR : 'entries'}/${before.blob}`;
/** The per-apply directory of secret before-images; backups exclude `journal/<id>/secret` (backup/plan.ts). */
export const SECRET_DIR = 'secret';

const pad = (n: number) => String(n).padStart(4, '0');

export class TargetJournal implements ProgressJournal {
  readonly id: string;
  readonly dir: string;
  private readonly ex: Executor;
  private record: ApplyRecord;
  private seq = 0;
  private readonly saved = new Set<string>();
  private readonly onProgress: (message: string) => void;
  /** called after each entry is durable (the engine's fault points hang here) */
  onEntry: (entry: JournalEntry) => void = () => {};

  private constructor(ex: Executor, dir: string, record: ApplyRecord, onProgress: (m: string) => void) {
    this.ex = ex;
    this.dir = dir;
    this.id = record.id;
    this.record = record;
    this.onProgress = onProgress;
  }

  static async begin(ex: Executor, stateDir: string, summary: PlanSummary, onProgress: (m: string) => void = () => {}): Promise<TargetJournal> {
    const id = journalId(new Date(), randomBytes(3).toString('hex'));
    const dir = `${journalRoot(stateDir)}/${id}`;
    await ex.run(['install', '-d', '-m', '0700', stateDir, journalRoot(stateDir), dir, `${dir}/entries`, `${dir}/${SECRET_DIR}`]);
    const record: ApplyRecord = { schemaVersion: 1, id, target: ex.target, status: 'running', startedAt: new Date().toISOString(), summary };
    const j = new TargetJournal(ex, dir, record, onProgress);
    await j.writeRecord();
    return j;
  }

  async saveFile(ex: Executor, path: string): Promise<void> {
    if (this.saved.has(path)) return;
    const seq = ++this.seq;
    const before = await beforeImage(ex, path, this.dir, seq);
    const entry: JournalEntry = { seq, kind: 'file', path, before };
    await this.writeEntry(entry);
    this.saved.add(path);
  }

  async saveStep(description: string, undoArgv: string[] | null): Promise<void> {
    await this.writeEntry({ seq: ++this.seq, kind: 'step', description: redact(description), undoArgv });
  }

  /** the files this apply saved before-images of (what it wrote) */
  get savedPaths(): readonly string[] {
    return [...this.saved];
  }

  progress(message: string): void {
    this.onProgress(message);
  }

  async finish(status: 'complete' | 'failed', error?: string): Promise<void> {
    this.record = { ...this.record, status, finishedAt: new Date().toISOString(), ...(error ? { error: redact(error) } : {}) };
    await this.writeRecord();
  }

  private async writeEntry(entry: JournalEntry): Promise<void> {
    await this.ex.writeFile(`${this.dir}/entries/${pad(entry.seq)}.json`, `${JSON.stringify(entry)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
    this.onEntry(entry);
  }

  private writeRecord(): Promise<void> {
    return this.ex.writeFile(`${this.dir}/apply.json`, `${JSON.stringify(this.record, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
  }
}

async function beforeImage(ex: Executor, path: string, dir: string, seq: number): Promise<BeforeImage> {
  const st = await ex.stat(path);
  if (!st) return { type: 'absent' };
  if (st.type === 'directory') return { type: 'directory', mode: st.mode, owner: st.owner, group: st.group };
  if (st.type === 'symlink') {
    const r = await ex.run(['readlink', '--', path]);
    return { type: 'symlink', target: r.stdout.replace(/\n$/, '') };
  }
  if (st.type !== 'file') {
    throw new ClawopsError(`cannot journal ${path}: it is neither a file, a directory nor a symlink`, {
      hint: 'move it away; clawops only replaces regular files',
    });
  }
  // no-follow read: a file swapped for a link to /etc/shadow after the stat must not become a before-image undo writes back
  const content = (await safeRead(ex, path)) ?? Buffer.alloc(0);
  const blob = `${pad(seq)}.bin`;
  const secret = isSecretImage(st.mode, content);
  await ex.writeFile(`${dir}/${blobPath({ blob, ...(secret ? { secret } : {}) })}`, content, { mode: 0o600, owner: 'root', group: 'root' });
  return { type: 'file', mode: st.mode, owner: st.owner, group: st.group, sha256: sha256(content), blob, ...(secret ? { secret } : {}) };
}

/** A file whose before-image is kept out of backups: private by mode (no group/other bits), or holding a secret. */
export function isSecretImage(mode: number, content: Buffer): boolean {
  const text = content.toString('utf8');
  // by shape too: a legacy unit's inline Environment=...TOKEN=... nobody registered
  return (mode & 0o077) === 0 || holdsSecret(text) || redact(text) !== text;
}

/**
 * Journal ids to remove (pure): those started more than `retentionDays` before `now`, except the
 * newest, which `clawops undo` needs whatever its age.
 */
export function journalsToPrune(ids: readonly string[], retentionDays: number, now: Date): string[] {
  const [, ...older] = newestFirst(ids);
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  return older.filter((id) => {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z-/.exec(id);
    return m !== null && Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +(m[7] ?? 0)) < cutoff;
  });
}

/** Removes journals past the retention (see journalsToPrune); returns the removed ids. */
export async function pruneJournals(ex: Executor, stateDir: string, retentionDays: number, now = new Date()): Promise<string[]> {
  const r = await ex.run(['sh', '-c', 'ls -1 -- "$1" 2>/dev/null || true', 'sh', journalRoot(stateDir)]);
  const old = journalsToPrune(r.stdout.split('\n'), retentionDays, now);
  if (old.length > 0) await ex.run(['rm', '-rf', '--', ...old.map((id) => `${journalRoot(stateDir)}/${id}`)]);
  return old;
}

/** Journals on the target, newest first. */
/**
 * `20261121T181839123Z-a1b2c3`: UTC to the millisecond, so two applies in the same second still
 * sort in the order they ran (undo takes the newest); the random suffix only tells twins apart.
 */
export function journalId(at: Date, suffix: string): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${suffix}`;
}

/** Journal ids, newest first; ids written before milliseconds were recorded (`…T181839Z-…`) count as .000 (pure). */
export function newestFirst(names: readonly string[]): string[] {
  const key = (id: string) => id.replace(/^(\d{8}T\d{6})Z/, '$1000Z');
  return names.filter((l) => /^\d{8}T\d{6}(\d{3})?Z-[0-9a-f]+$/.test(l)).sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

export async function listApplies(ex: Executor, stateDir: string): Promise<ApplyRecord[]> {
  const r = await ex.run(['sh', '-c', 'ls -1 -- "$1" 2>/dev/null || true', 'sh', journalRoot(stateDir)]);
  const ids = newestFirst(r.stdout.split('\n'));
  const out: ApplyRecord[] = [];
  for (const id of ids) {
    const raw = await ex.readFile(`${journalRoot(stateDir)}/${id}/apply.json`);
    if (raw) out.push(JSON.parse(raw.toString('utf8')) as ApplyRecord);
  }
  return out;
}

export async function readEntries(ex: Executor, stateDir: string, id: string): Promise<JournalEntry[]> {
  const dir = `${journalRoot(stateDir)}/${id}/entries`;
  const r = await ex.run(['sh', '-c', 'ls -1 -- "$1"', 'sh', dir]);
  const names = r.stdout.split('\n').filter((l) => /^\d{4}\.json$/.test(l)).sort();
  const entries: JournalEntry[] = [];
  for (const n of names) {
    const raw = await ex.readFile(`${dir}/${n}`);
    if (raw) entries.push(JSON.parse(raw.toString('utf8')) as JournalEntry);
  }
  return entries;
}

export async function markUndone(ex: Executor, stateDir: string, record: ApplyRecord): Promise<void> {
  const updated: ApplyRecord = { ...record, status: 'undone', undoneAt: new Date().toISOString() };
  await ex.writeFile(`${journalRoot(stateDir)}/${record.id}/apply.json`, `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}
