/** Probing a set of facts: deduplicated (each probe once per run), batched, concurrent. */
import type { Executor } from '../exec/types.ts';
import { type FactKind, type FactReader, type FactRef, type Raw, rawDuration, unknown } from './types.ts';

export const CONCURRENCY = 6;

export interface CollectOptions {
  /** refuse probes that spawn the openclaw CLI, for this reason (the health profile; a contained host) */
  forbidOpenclaw?: string | undefined;
}

export function dedupe(refs: readonly FactRef<unknown>[]): FactRef<unknown>[] {
  const seen = new Map<string, FactRef<unknown>>();
  for (const r of refs) if (!seen.has(r.key)) seen.set(r.key, r);
  return [...seen.values()];
}

async function limit<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return out;
}

/** Probe every distinct fact once; returns raw output by key. Never throws for a failed probe. */
export async function collectRaw(ex: Executor, refs: readonly FactRef<unknown>[], opts: CollectOptions = {}): Promise<Map<string, Raw>> {
  const raw = new Map<string, Raw>();
  const byKind = new Map<FactKind<unknown>, FactRef<unknown>[]>();
  for (const r of dedupe(refs)) {
    if (opts.forbidOpenclaw && r.kind.spawnsOpenclaw) {
      raw.set(r.key, { t: 'error', message: `not probed: ${opts.forbidOpenclaw}`, durationMs: 0 });
      continue;
    }
    byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  }
  const tasks: (() => Promise<void>)[] = [];
  for (const [kind, rs] of byKind) {
    if (kind.probeMany) {
      tasks.push(async () => {
        const m = await kind.probeMany!(ex, rs.map((r) => r.arg));
        for (const r of rs) raw.set(r.key, m.get(r.arg) ?? { t: 'error', message: 'batch probe returned nothing', durationMs: 0 });
      });
    } else {
      for (const r of rs) tasks.push(async () => void raw.set(r.key, await kind.probe!(ex, r.arg)));
    }
  }
  await limit(tasks, CONCURRENCY);
  return raw;
}

/** Facts over recorded raw output (a live run or a facts file). Parsing is memoised per key. */
export function factReader(raw: ReadonlyMap<string, Raw>): FactReader {
  const cache = new Map<string, unknown>();
  return {
    get<T>(r: FactRef<T>) {
      if (!cache.has(r.key)) {
        const x = raw.get(r.key);
        let v: unknown;
        if (!x) v = unknown(`fact ${r.key} was not collected`);
        else {
          try {
            v = r.kind.parse(x, r.arg);
          } catch (err) {
            v = unknown(`parser for ${r.kind.kind} failed: ${(err as Error).message}`);
          }
        }
        cache.set(r.key, v);
      }
      return cache.get(r.key) as ReturnType<FactReader['get']> & T;
    },
    durationMs: (r) => rawDuration(raw.get(r.key)),
  };
}
