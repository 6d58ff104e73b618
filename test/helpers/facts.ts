/** A FactReader over given values, for table tests of resources' pure plans ("facts in, changes out"). */
import { factReader } from '../../src/facts/collect.ts';
import type { FactReader, FactRef, Raw } from '../../src/facts/types.ts';

export function factsOf(entries: readonly (readonly [FactRef<unknown>, unknown])[]): FactReader {
  const m = new Map(entries.map(([r, v]) => [r.key, v]));
  return {
    get<T>(r: FactRef<T>) {
      return (m.has(r.key) ? m.get(r.key) : { unknown: `fact ${r.key} not given` }) as T;
    },
    durationMs: () => 0,
  };
}

/** Raw command output (exit 0) for a fact. */
export const cmdRaw = (stdout: string, exitCode = 0): Raw => ({ t: 'cmd', exitCode, stdout, stderr: '', timedOut: false, durationMs: 1 });
/** A file's content (null: missing) for a fact read from a file. */
export const fileRaw = (content: string | null): Raw => ({ t: 'file', content, durationMs: 1 });

/** A FactReader over recorded raw outputs: the facts' own parsers run, as in a live plan. */
export function factsFromRaw(entries: readonly (readonly [FactRef<unknown>, Raw])[]): FactReader {
  return factReader(new Map(entries.map(([r, raw]) => [r.key, raw])));
}
