/** A directory with an explicit owner, group and mode (e.g. a service home 0700). */
import { ClawopsError } from '../core/errors.ts';
import { safeMkdir } from '../core/safe-fs.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { fileStat, type StatValue } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { ensureParents, octal } from './paths.ts';

export interface DirectoryOptions {
  path: string;
  mode: number;
  owner: string;
  group?: string;
  dependsOn?: string[];
}

export type DirectoryState = { exists: false } | { exists: true; type: string; mode: number; owner: string; group: string };
export type DirectoryChangeData = { path: string; mode: number; owner: string; group: string };

export const directoryId = (path: string) => `dir:${path}`;

export function directoryResource(o: DirectoryOptions): Resource {
  const want: DirectoryChangeData = { path: o.path, mode: o.mode, owner: o.owner, group: o.group ?? o.owner };
  const id = directoryId(o.path);
  return {
    id,
    kind: 'directory',
    ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}),
    needs: () => [ref(fileStat, o.path)],
    plan: (f) => planDirectory(id, want, directoryState(known(f, ref(fileStat, o.path)))),
    async apply(ex, change, journal) {
      const d = change.data as DirectoryChangeData;
      // parents first: undo walks the journal backwards, so the file goes before its new parents
      await ensureParents(ex, d.path, journal);
      await journal.saveFile(ex, d.path);
      // by descriptor (core/safe-fs): a home or state dir swapped for a link to /etc gets refused, not chowned
      await safeMkdir(ex, d.path, { mode: d.mode, owner: d.owner, group: d.group });
    },
  };
}

export function directoryState(st: StatValue): DirectoryState {
  if ('missing' in st) return { exists: false };
  return { exists: true, type: st.type, mode: st.mode, owner: st.owner, group: st.group };
}

export function planDirectory(id: string, want: DirectoryChangeData, cur: DirectoryState): PlanOutcome {
  const meta = `${octal(want.mode)} ${want.owner}:${want.group}`;
  if (!cur.exists) {
    return { changes: [{ resourceId: id, kind: 'directory', action: 'add', summary: `create directory ${want.path} (${meta})`, data: want }] };
  }
  if (cur.type !== 'directory') {
    throw new ClawopsError(`${want.path} is a ${cur.type} on the target, not a directory`, { hint: `move it away so clawops can create ${want.path}` });
  }
  if (cur.mode === want.mode && cur.owner === want.owner && cur.group === want.group) return { noop: `${want.path} is ${meta}` };
  return {
    changes: [
      {
        resourceId: id,
        kind: 'directory',
        action: 'change',
        summary: `set ${want.path} to ${meta} (was ${octal(cur.mode)} ${cur.owner}:${cur.group})`,
        data: want,
      },
    ],
  };
}
