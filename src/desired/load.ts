/**
 * Reading the spec file. A spec that validated before, unchanged and under the same clawops, comes
 * from the cache (./cache.ts) without loading the parser; anything else is parsed and validated.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClawopsError } from '../core/errors.ts';
import { cachedSpec, specKey, storeSpec } from './cache.ts';
import { SpecError, type SpecResult } from './errors.ts';
import type { ResolvedSpec } from './resolve.ts';

const EMBEDDED = '(embedded defaults)';

/** Load a spec file, or the embedded defaults when `file` is undefined. Throws a ClawopsError listing every problem. */
export async function loadSpec(file: string | undefined): Promise<ResolvedSpec> {
  const result = await readSpec(file);
  if (!result.ok) throw new SpecError(result.source, result.problems);
  return result.spec;
}

export async function readSpec(file: string | undefined): Promise<SpecResult> {
  const source = file ?? EMBEDDED;
  const cacheName = file === undefined ? EMBEDDED : resolve(file);
  // stamp before reading: a write that lands in between makes the stored key stale, never the spec
  const key = specKey(file);
  const hit = cachedSpec(cacheName, key);
  if (hit) return { ok: true, spec: hit, source };
  const text = file === undefined ? '{}' : await readText(file);
  const { parseSpec } = await import('./parse.ts');
  const result = parseSpec(text, source);
  if (result.ok) storeSpec(cacheName, key, result.spec);
  return result;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new ClawopsError(`cannot read spec ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
      cause,
      hint: 'check the path given to --spec/-f, or run `clawops spec init > clawops.yaml`',
    });
  }
}
