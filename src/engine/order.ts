import { ClawopsError } from '../core/errors.ts';

interface Node {
  readonly id: string;
  readonly dependsOn?: readonly string[];
}

/**
 * Dependencies first, otherwise the given order (stable). A dependency on an id that is not in
 * the set is ignored (that resource is not wanted by this spec); a cycle is an error.
 */
export function orderByDependencies<T extends Node>(items: readonly T[]): T[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: T[] = [];
  const visit = (item: T, path: string[]): void => {
    const s = state.get(item.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new ClawopsError(`resource dependency cycle: ${[...path, item.id].join(' -> ')}`, {
        hint: 'this is a bug in a resource definition (dependsOn)',
      });
    }
    state.set(item.id, 'visiting');
    for (const dep of item.dependsOn ?? []) {
      const d = byId.get(dep);
      if (d) visit(d, [...path, item.id]);
    }
    state.set(item.id, 'done');
    out.push(item);
  };
  for (const item of items) visit(item, []);
  return out;
}

/** Run `fn` over items with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
