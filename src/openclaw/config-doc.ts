/**
 * OpenClaw's config document (`openclaw.json`, JSON5): parse, read/write a key path, and turn a
 * key-level change set into a merge patch. Pure; no I/O.
 */
import { parseJson5 } from '../facts/json5.ts';
import { ClawopsError } from '../core/errors.ts';
import type { JsonValue } from '../engine/types.ts';

export type JsonObject = { [k: string]: JsonValue };
export type KeyPath = readonly string[];

export function parseConfigText(text: string, source: string): JsonObject {
  let v: unknown;
  try {
    v = text.trim() === '' ? {} : parseJson5(text);
  } catch (cause) {
    throw new ClawopsError(`${source} is not valid JSON5: ${cause instanceof Error ? cause.message : String(cause)}`, {
      hint: `fix the file by hand (OpenClaw keeps earlier copies in ${source}.bak*) or run \`openclaw doctor\``,
      cause,
    });
  }
  if (!isObject(v)) {
    throw new ClawopsError(`${source} does not hold a JSON object`, { hint: 'the config must be an object at the top level' });
  }
  return v;
}

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export const keyOf = (path: KeyPath): string => path.join('.');

/** The value at `path`, or undefined when any step is missing. */
export function getPath(doc: JsonObject, path: KeyPath): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const k of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Sets `path` (creating objects on the way; a non-object in the way is replaced). Mutates `doc`. */
export function setPath(doc: JsonObject, path: KeyPath, value: JsonValue): void {
  let cur = doc;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!isObject(next)) cur[k] = {};
    cur = cur[k] as JsonObject;
  }
  const last = path.at(-1);
  if (last !== undefined) cur[last] = value;
}

/** Deletes `path` if present; parents are left in place (even when they become empty). Mutates `doc`. */
export function deletePath(doc: JsonObject, path: KeyPath): void {
  const parent = getPath(doc, path.slice(0, -1));
  const last = path.at(-1);
  if (isObject(parent) && last !== undefined) delete parent[last];
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return jsonEqual(ka, kb) && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

export interface KeyChange {
  path: string[];
  /** undefined: delete the key */
  value?: JsonValue;
}

/** Applies key changes to a copy of `doc`. */
export function applyKeyChanges(doc: JsonObject, changes: readonly KeyChange[]): JsonObject {
  const out = structuredClone(doc);
  for (const c of changes) {
    if (c.value === undefined) deletePath(out, c.path);
    else setPath(out, c.path, c.value);
  }
  return out;
}

/**
 * An RFC 7386-style merge patch (what `openclaw config patch` takes): objects merge, arrays and
 * scalars replace, `null` deletes. A value that is itself an object is written key by key, so
 * keys the operator added beside it survive.
 */
export function mergePatch(changes: readonly KeyChange[]): JsonObject {
  const patch: JsonObject = {};
  for (const c of changes) setPath(patch, c.path, c.value === undefined ? null : c.value);
  return patch;
}
