/**
 * Pure parsers of restic 0.14 output (`--json` where restic has it, text for `check`), and the
 * classification of restic's fatal errors into one-line messages. Tested on recorded real output
 * (test/fixtures/samples/restic-*, test/fixtures/backup/restic-*).
 */

export interface BackupSummary {
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  /** bytes added to the repository (after dedup and compression) */
  dataAdded: number;
  /** bytes read from the staged files */
  totalBytesProcessed: number;
  totalFilesProcessed: number;
  durationSec: number;
}

/** The `summary` line of `restic backup --json` (status lines, if any, are ignored). */
export function parseBackupJsonl(text: string): BackupSummary | undefined {
  for (const line of text.split('\n').reverse()) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(t) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (o.message_type !== 'summary' || typeof o.snapshot_id !== 'string') continue;
    const n = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : 0);
    return {
      snapshotId: o.snapshot_id,
      filesNew: n('files_new'),
      filesChanged: n('files_changed'),
      filesUnmodified: n('files_unmodified'),
      dataAdded: n('data_added'),
      totalBytesProcessed: n('total_bytes_processed'),
      totalFilesProcessed: n('total_files_processed'),
      durationSec: n('total_duration'),
    };
  }
  return undefined;
}

export interface Snapshot {
  id: string;
  shortId: string;
  time: string;
  hostname: string;
  paths: string[];
  tags: string[];
}

/** `restic snapshots --json` (also the `keep`/`remove` lists of `forget --json`). */
export function parseSnapshots(text: string): Snapshot[] {
  const data: unknown = JSON.parse(text.trim() || '[]');
  if (!Array.isArray(data)) throw new Error('restic snapshots --json: not an array');
  return data.map(toSnapshot);
}

function toSnapshot(v: unknown): Snapshot {
  const o = (v ?? {}) as Record<string, unknown>;
  const strs = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const id = typeof o.id === 'string' ? o.id : '';
  return {
    id,
    shortId: typeof o.short_id === 'string' ? o.short_id : id.slice(0, 8),
    time: typeof o.time === 'string' ? o.time : '',
    hostname: typeof o.hostname === 'string' ? o.hostname : '',
    paths: strs(o.paths),
    tags: strs(o.tags),
  };
}

export interface ForgetResult {
  kept: number;
  /** short ids */
  removed: string[];
  /** full ids of the snapshots kept */
  keptIds: string[];
}

/** `restic forget --json [--prune]`: one group per host/paths, each with keep and remove lists. */
export function parseForget(text: string): ForgetResult {
  // the JSON is one line; with --prune, restic's prune report may follow it on stdout
  const line = text.split('\n').find((l) => l.trimStart().startsWith('['));
  if (line === undefined) return { kept: 0, removed: [], keptIds: [] };
  const data: unknown = JSON.parse(line);
  let kept = 0;
  const removed: string[] = [];
  const keptIds: string[] = [];
  for (const g of Array.isArray(data) ? data : []) {
    const group = (g ?? {}) as Record<string, unknown>;
    if (Array.isArray(group.keep)) {
      kept += group.keep.length;
      for (const s of group.keep) keptIds.push(toSnapshot(s).id);
    }
    if (Array.isArray(group.remove)) for (const s of group.remove) removed.push(toSnapshot(s).shortId);
  }
  return { kept, removed, keptIds };
}

export interface CheckResult {
  ok: boolean;
  /** the subset read, e.g. "3/10" */
  subset?: string;
  /** packs read, when restic said */
  packsRead?: number;
  /** the first error line restic printed, when not ok */
  error?: string;
}

/** `restic check --read-data-subset=n/N` text output plus its exit code. */
export function parseCheck(text: string, exitCode: number | null, subset?: string): CheckResult {
  const noErrors = /^no errors were found$/m.test(text);
  const group = /read group #\d+ of (\d+) data packs/.exec(text);
  const ok = exitCode === 0 && noErrors;
  const r: CheckResult = { ok };
  if (subset) r.subset = subset;
  if (group) r.packsRead = Number(group[1]);
  if (!ok) r.error = fatalLine(text) || 'restic check reported errors';
  return r;
}

export type ResticProblem =
  | 'no-repository'
  | 'password-file-missing'
  | 'wrong-password'
  | 'unreachable'
  | 'read-only'
  | 'no-space'
  | 'locked'
  | 'other';

/** What went wrong, from restic's stderr. */
export function classifyResticError(stderr: string): ResticProblem {
  if (/Is there a repository at the following location\?/.test(stderr)) return 'no-repository';
  if (/Resolving password failed/.test(stderr) || /password file .* does not exist/i.test(stderr)) return 'password-file-missing';
  if (/wrong password or no key found/.test(stderr)) return 'wrong-password';
  if (/no space left on device/i.test(stderr)) return 'no-space';
  if (/read-only file system/i.test(stderr)) return 'read-only';
  if (/repository is already locked/i.test(stderr)) return 'locked';
  if (/unable to open repo(sitory)? at|unable to start the sftp session|connection refused|no such host|i\/o timeout|network is unreachable/i.test(stderr)) return 'unreachable';
  return 'other';
}

/** The line that says why: restic's `Fatal: ...` line, else the last non-empty line. */
export function fatalLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.find((l) => l.startsWith('Fatal:') && !/^Fatal: There were \d+ errors$/.test(l));
  if (fatal) return fatal.replace(/^Fatal:\s*/, '');
  const io = lines.find((l) => /no space left on device|read-only file system/i.test(l));
  return (io ?? lines[lines.length - 1] ?? '').replace(/^ignoring error for /, '');
}
