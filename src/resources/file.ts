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
import { readFact } from '../facts/probe.ts';
import { fileState, type FileState } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
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

export type { FileState };

export type FileChangeData = { path: string; content: string; encoding?: 'base64'; mode: number; owner: string; group: string };

/** The bytes a planned file change writes. */
export function changeBytes(d: FileChangeData): string | Buffer {
  return d.encoding === 'base64' ? Buffer.from(d.content, 'base64') : d.content;
}

/** The resources made here: the gate's host.managed-files judges each with its own plan. */
const made = new WeakSet<Resource>();
export const isFileResource = (r: Resource): boolean => made.has(r);

/** A resource that writes one file with a plan of its own (synchronous, from facts): host.managed-files judges it too. */
export function managedFile(r: Resource): Resource {
  made.add(r);
  return r;
}

export function fileResource(o: FileOptions): Resource {
  const r = fileResourceOf(o);
  made.add(r);
  return r;
}

function fileResourceOf(o: FileOptions): Resource {
  const owner = o.owner ?? 'root';
  const group = o.group ?? owner;
  const id = o.id ?? `file:${o.path}`;
  return {
    id,
    kind: o.kind ?? 'file',
    ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}),
    needs: () => [ref(fileState, o.path)],
    plan: (f) =>
      planFile(id, o.kind ?? 'file', {
        path: o.path,
        ...(typeof o.content === 'string' ? { content: o.content } : { content: o.content.toString('base64'), encoding: 'base64' as const }),
        mode: o.mode,
        owner,
        group,
      }, known(f, ref(fileState, o.path))),
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

/** The file as it is on the target now (apply-time re-reads). */
export function readFileState(ex: Executor, path: string): Promise<FileState> {
  return readFact(ex, ref(fileState, path));
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
