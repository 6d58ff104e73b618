/**
 * Keys merged into a JSON file that others own too (/etc/docker/daemon.json): existing keys the
 * spec does not name are kept; the file is never overwritten wholesale.
 */
import { PlanProblemError } from '../engine/errors.ts';
import { stableStringify } from '../engine/hash.ts';
import type { Journal, PlanOutcome, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { fileState } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { planFile, type FileChangeData } from './file.ts';
import { ensureParents } from './paths.ts';

export interface JsonMergeOptions {
  path: string;
  merge: Record<string, unknown>;
  /** spec path named in errors */
  specPath: string;
  mode?: number;
  afterChange?: (ex: Executor, journal: Journal) => Promise<void>;
}

/** Deep merge: objects recurse, anything else in `patch` replaces. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Pure: the merged file text for the current text (undefined: absent). */
export function mergedText(current: string | undefined, merge: Record<string, unknown>, path: string, specPath: string): string {
  let base: unknown = {};
  if (current !== undefined && current.trim() !== '') {
    try {
      base = JSON.parse(current);
    } catch (cause) {
      throw new PlanProblemError(specPath, `${path} on the target is not valid JSON; clawops merges into it and will not overwrite it`, {
        cause,
        hint: `fix ${path} by hand (jq . ${path} shows where)`,
      });
    }
    if (!isObject(base)) throw new PlanProblemError(specPath, `${path} on the target is not a JSON object`);
  }
  const merged = deepMerge(base, merge);
  // unchanged content keeps its formatting: no rewrite for key order or whitespace
  if (current !== undefined && stableStringify(merged) === stableStringify(base)) return current;
  return `${JSON.stringify(merged, null, 2)}\n`;
}

export function jsonMergeResource(o: JsonMergeOptions): Resource {
  const id = `json-merge:${o.path}`;
  return {
    id,
    kind: 'json-merge',
    needs: () => [ref(fileState, o.path)],
    plan(f): PlanOutcome {
      const cur = known(f, ref(fileState, o.path));
      const text = mergedText(cur.exists ? (cur.text ?? '') : undefined, o.merge, o.path, o.specPath);
      const keep = cur.exists ? { mode: cur.mode, owner: cur.owner, group: cur.group } : { mode: o.mode ?? 0o644, owner: 'root', group: 'root' };
      return planFile(id, 'json-merge', { path: o.path, content: text, ...keep }, cur);
    },
    async apply(ex, change, journal) {
      const d = change.data as FileChangeData;
      // parents first: undo walks the journal backwards, so the file goes before its new parents
      await ensureParents(ex, d.path, journal);
      await journal.saveFile(ex, d.path);
      await ex.writeFile(d.path, d.content, { mode: d.mode, owner: d.owner, group: d.group });
      if (o.afterChange) await o.afterChange(ex, journal);
    },
  };
}
