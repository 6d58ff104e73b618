/**
 * The alert state on the host, one root-owned 0600 JSON file in the state directory: the book of
 * open alerts, the spool of deliveries that failed (retried with backoff until `retryHours`), each
 * sink's health and how many deliveries were given up. Written atomically under the host lock (the
 * check timers hold it while they alert). A file that cannot be read back starts a new state, and
 * the dispatch says so.
 */
import type { Executor } from '../exec/types.ts';
import { type AlertBook, type AlertEvent, asBook, EMPTY_BOOK } from './book.ts';

export interface SpoolEntry {
  /** index of the sink in monitoring.alerts, and its type (a changed spec drops entries that no longer match) */
  sink: number;
  sinkType: string;
  event: AlertEvent;
  attempts: number;
  firstAt: string;
  nextAt: string;
  lastError: string;
}

export interface SinkHealth {
  sinkType: string;
  failures: number;
  lastError?: string;
  lastErrorAt?: string;
  lastOkAt?: string;
}

export interface AlertStore {
  book: AlertBook;
  spool: SpoolEntry[];
  sinks: Record<string, SinkHealth>;
  dropped: number;
}

export const alertStorePath = (stateDir: string): string => `${stateDir}/alerts.json`;

export function emptyStore(): AlertStore {
  return { book: EMPTY_BOOK, spool: [], sinks: {}, dropped: 0 };
}

export function parseStore(text: string): AlertStore | null {
  try {
    const s = JSON.parse(text) as Partial<AlertStore> & { book?: unknown };
    const book = asBook(s.book ?? null);
    if (!book || !Array.isArray(s.spool) || typeof s.sinks !== 'object' || s.sinks === null) return null;
    return { book, spool: s.spool, sinks: s.sinks, dropped: typeof s.dropped === 'number' ? s.dropped : 0 };
  } catch {
    return null;
  }
}

export async function loadStore(ex: Executor, stateDir: string): Promise<{ store: AlertStore; note?: string }> {
  const path = alertStorePath(stateDir);
  const b = await ex.readFile(path);
  if (b === null) return { store: emptyStore() };
  const s = parseStore(b.toString('utf8'));
  return s ? { store: s } : { store: emptyStore(), note: `${path} could not be read back: alert state started anew (open alerts fire again)` };
}

export async function saveStore(ex: Executor, stateDir: string, store: AlertStore): Promise<void> {
  await ex.run(['mkdir', '-p', '-m', '0700', '--', stateDir]);
  await ex.writeFile(alertStorePath(stateDir), `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}

/** Backoff of the next attempt after `attempts` failures: 1 min, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}
