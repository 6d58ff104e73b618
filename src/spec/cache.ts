/**
 * A cache of validated specs, so a timer that runs `clawops check --profile health` every minute
 * does not load the YAML parser and the schema each time. An entry is keyed by the spec's path and
 * holds the resolved spec with a fingerprint of the spec text and of the code that validated it
 * (the schema, rules and resolver modules, and the clawops version): a change to either is a miss.
 *
 * Only specs that validated are stored. The cache lives in `$CLAWOPS_CACHE_DIR`, systemd's
 * `$CACHE_DIRECTORY` (the timers set `CacheDirectory=clawops`), `$XDG_CACHE_HOME/clawops` or
 * `~/.cache/clawops` (0700, entries 0600); with none of those set there is no cache. It is
 * best-effort: an unreadable, corrupt or unwritable entry is a miss, never an error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../cli/version.ts';
import type { ResolvedSpec } from './resolve.ts';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

export function specCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CLAWOPS_CACHE_DIR) return env.CLAWOPS_CACHE_DIR;
  const systemd = env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'clawops');
  if (env.HOME) return join(env.HOME, '.cache', 'clawops');
  return undefined;
}

let codeId: string | undefined;
/** Fingerprint of the modules whose output is cached (`.ts` in a checkout, `.js` when built). */
function codeFingerprint(): string {
  if (codeId) return codeId;
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const h = createHash('sha256').update(VERSION);
  for (const m of ['schema', 'rules', 'resolve', 'parse']) h.update(readFileSync(new URL(`./${m}${ext}`, import.meta.url)));
  codeId = h.digest('hex');
  return codeId;
}

interface Entry {
  key: string;
  spec: ResolvedSpec;
}

const entryPath = (dir: string, source: string) => join(dir, `spec-${sha256(source).slice(0, 32)}.json`);
const keyOf = (text: string) => sha256(`${codeFingerprint()}\0${text}`);

export function cachedSpec(source: string, text: string, dir = specCacheDir()): ResolvedSpec | undefined {
  if (!dir) return undefined;
  try {
    const entry = JSON.parse(readFileSync(entryPath(dir, source), 'utf8')) as Entry;
    return entry.key === keyOf(text) ? entry.spec : undefined;
  } catch {
    return undefined;
  }
}

export function storeSpec(source: string, text: string, spec: ResolvedSpec, dir = specCacheDir()): void {
  if (!dir) return;
  const file = entryPath(dir, source);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify({ key: keyOf(text), spec } satisfies Entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}
