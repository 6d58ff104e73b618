/**
 * A whole file clawops owns: content, owner, group and mode. Validated on the target before it is
 * installed (when a validator is given), journaled, written atomically, then `afterChange` runs
 * (a reload). Every file-writing resource is one of these.
 */
import { ClawopsError } from '../core/errors.ts';
import { unifiedDiff } from '../engine/diff.ts';
import { sha256 } from '../engine/hash.ts';
import type { Journal, PlanOutcome, PlannedChange, ProgressJournal, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { parseStat } from '../exec/shell-executor.ts';
import { ensureParents, octal } from './paths.ts';

export interface FileOptions {
  path: string;
  /** text, or bytes (a keyring): bytes travel base64 in the plan */
  content: string | Buffer;
  mode: number;
  owner?: string;
  group?: string;
  id?: string;
  kind?: string;
  dependsOn?: string[];
  /**
   * Check a candidate on the target before installing it: gets the executor and the candidate's
   * content; throws (a ClawopsError saying what is wrong) when it is not valid.
   */
  validate?: (ex: Executor, content: string) => Promise<void>;
  /** after the file changed (a reload/restart); progress goes to the journal */
  afterChange?: (ex: Executor, journal: Journal) => Promise<void>;
}

export type FileState =
  | { exists: false }
  | { exists: true; type: string; mode: number; owner: string; group: string; sha256: string; text: string | null };

export type FileChangeData = { path: string; content: string; encoding?: 'base64'; mode: number; owner: string; group: string };

/** The bytes a planned file change writes. */
export function changeBytes(d: FileChangeData): string | Buffer {
  return d.encoding === 'base64' ? Buffer.from(d.content, 'base64') : d.content;
}

const MAX_DIFF_BYTES = 256 * 1024;

export function fileResource(o: FileOptions): Resource<FileState> {
  const owner = o.owner ?? 'root';
  const group = o.group ?? owner;
  const id = o.id ?? `file:${o.path}`;
  return {
    id,
    kind: o.kind ?? 'file',
    ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}),
    read: (ex) => readFileState(ex, o.path),
    plan: (cur) =>
      planFile(id, o.kind ?? 'file', {
        path: o.path,
        ...(typeof o.content === 'string' ? { content: o.content } : { content: o.content.toString('base64'), encoding: 'base64' as const }),
        mode: o.mode,
        owner,
        group,
      }, cur),
    async apply(ex, change, journal) {
      const d = change.data as FileChangeData;
      if (o.validate && d.encoding !== 'base64') await o.validate(ex, d.content);
      // parents first: undo walks the journal backwards, so the file goes before its new parents
      await ensureParents(ex, d.path, journal);
      await journal.saveFile(ex, d.path);
      await ex.writeFile(d.path, changeBytes(d), { mode: d.mode, owner: d.owner, group: d.group });
      if (o.afterChange) await o.afterChange(ex, journal);
    },
  };
}

// stat and content in one round trip (reads are most of a no-op plan's time)
const READ_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit 3
stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$1" || exit 4
if [ -f "$1" ] && [ ! -L "$1" ]; then exec cat -- "$1"; fi`;

export async function readFileState(ex: Executor, path: string): Promise<FileState> {
  const r = await ex.run(['sh', '-c', READ_SCRIPT, 'sh', path], { allowFailure: true });
  if (r.exitCode === 3) return { exists: false };
  if (r.exitCode !== 0) await ex.run(['sh', '-c', READ_SCRIPT, 'sh', path]); // throws with the cause
  const nl = r.stdoutBytes.indexOf(0x0a);
  const st = parseStat(path, r.stdoutBytes.subarray(0, nl).toString('utf8'));
  const base = { exists: true as const, type: st.type, mode: st.mode, owner: st.owner, group: st.group };
  if (st.type !== 'file') return { ...base, sha256: '', text: null };
  const content = r.stdoutBytes.subarray(nl + 1);
  const text = content.length <= MAX_DIFF_BYTES && !content.includes(0) ? content.toString('utf8') : null;
  return { ...base, sha256: sha256(content), text };
}

/** Pure: the file as it is vs as wanted. */
export function planFile(id: string, kind: string, want: FileChangeData, cur: FileState): PlanOutcome {
  const meta = `${octal(want.mode)} ${want.owner}:${want.group}`;
  const binary = want.encoding === 'base64';
  const bytes = changeBytes(want);
  if (!cur.exists) {
    const diff = binary ? `(binary, ${bytes.length} bytes)` : unifiedDiff('', want.content, want.path);
    return { changes: [change(id, kind, 'add', `create ${want.path} (${meta})`, diff, want)] };
  }
  if (cur.type !== 'file') {
    throw new ClawopsError(`${want.path} is a ${cur.type} on the target, not a file`, { hint: `move it away so clawops can write ${want.path}` });
  }
  const sameContent = cur.sha256 === sha256(bytes);
  const sameMeta = cur.mode === want.mode && cur.owner === want.owner && cur.group === want.group;
  if (sameContent && sameMeta) return { noop: `${want.path} is as wanted` };
  const parts: string[] = [];
  if (!sameContent) parts.push('content');
  if (!sameMeta) parts.push(`${octal(cur.mode)} ${cur.owner}:${cur.group} -> ${meta}`);
  const diff = sameContent ? undefined : cur.text === null || binary ? '(binary or large file: content differs)' : unifiedDiff(cur.text, want.content, want.path);
  return { changes: [change(id, kind, 'change', `update ${want.path} (${parts.join('; ')})`, diff, want)] };
}

function change(id: string, kind: string, action: PlannedChange['action'], summary: string, diff: string | undefined, data: FileChangeData): PlannedChange {
  return { resourceId: id, kind, action, summary, ...(diff ? { diff } : {}), data };
}

/** A progress line if the journal takes them. */
export function progress(journal: Journal, message: string): void {
  (journal as Partial<ProgressJournal>).progress?.(message);
}
