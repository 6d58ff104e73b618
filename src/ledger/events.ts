/**
 * What a command did on the host, as a ledger event: applies and undos, backups and drills,
 * upgrades and rollbacks, alert deliveries, gateway restarts. `withHostEvent` wraps the command's
 * work: its result says ok or not, a throw is recorded as a failure and thrown on. Recording never
 * changes the command's outcome; a note says when the ledger could not take it.
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { recordOnHost } from './host.ts';
import { recordEvent, type EventInput, type EventKind } from './record.ts';

export function recordHostEvent(ex: Executor, spec: ResolvedSpec, e: EventInput): string[] {
  return recordOnHost(ex, spec, e.at, (l) => recordEvent(l, e)).notes;
}

export interface Outcome {
  ok: boolean;
  summary: string;
  detail?: Record<string, unknown>;
}

export async function withHostEvent<T>(ex: Executor, spec: ResolvedSpec, kind: EventKind, note: ((line: string) => void) | undefined, work: () => Promise<T>, outcome: (r: T) => Outcome | null): Promise<T> {
  const at = new Date();
  let r: T;
  try {
    r = await work();
  } catch (err) {
    for (const n of recordHostEvent(ex, spec, { at, kind, ok: false, summary: (err as Error).message.slice(0, 500) })) note?.(n);
    throw err;
  }
  const o = outcome(r);
  if (o) for (const n of recordHostEvent(ex, spec, { at, kind, ...o })) note?.(n);
  return r;
}
