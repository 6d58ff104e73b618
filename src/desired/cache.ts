/**
 * A cache of validated specs, so a timer that runs `clawops check --profile health` every minute
 * does not load the YAML parser and the schema each time. An entry is keyed by the spec's path and
 * holds the resolved spec with a stamp of the spec file (device, inode, size, mtime and ctime in
 * nanoseconds, as git's index does) and of the code that validated it (the clawops version and the
 * stamps of the modules that validate): a change to either is a miss.
 *
 * Only specs that validated are stored, in clawops' cache directory (../core/cache-dir.ts; 0700,
 * entries 0600). It is best-effort: an unreadable, corrupt or unwritable entry is a miss, never an error. No hashing
 * here on purpose: node:crypto alone costs the health profile 3.5 MB of its memory budget.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../cli/version.ts';
import { cacheDir } from '../core/cache-dir.ts';
import type { ResolvedSpec } from './resolve.ts';

/** A file's identity and version without reading it; undefined when it cannot be stat'ed. */
export function fileStamp(path: string | URL): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

let codeId: string | undefined;
function codeStamp(): string {
  if (codeId === undefined) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const modules = ['schema', 'rules', 'resolve', 'parse', 'yaml', 'strings', 'paths', 'limits', 'load'];
    const stamps = modules.map((m) => fileStamp(new URL(`./${m}${ext}`, import.meta.url)) ?? 'missing');
    codeId = [VERSION, ...stamps].join('|');
  }
  return codeId;
}

interface Entry {
  source: string;
  key: string;
  spec: ResolvedSpec;
}

/** The spec file's cache key; the embedded defaults depend on the code alone. */
export function specKey(file: string | undefined): string | undefined {
  if (file === undefined) return codeStamp();
  const stamp = fileStamp(file);
  return stamp === undefined ? undefined : `${codeStamp()}|${stamp}`;
}

function entryPath(dir: string, source: string): string | undefined {
  const name = `spec-${encodeURIComponent(source)}.json`;
  return name.length <= 255 ? join(dir, name) : undefined;
}

export function cachedSpec(source: string, key: string | undefined, dir = cacheDir()): ResolvedSpec | undefined {
  const file = dir && key ? entryPath(dir, source) : undefined;
  if (!file) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    return entry.source === source && entry.key === key ? entry.spec : undefined;
  } catch {
    return undefined;
  }
}

export function storeSpec(source: string, key: string | undefined, spec: ResolvedSpec, dir = cacheDir()): void {
  const file = dir && key ? entryPath(dir, source) : undefined;
  if (!dir || !key || !file) return;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify({ source, key, spec } satisfies Entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}
