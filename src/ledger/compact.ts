/**
 * Keeps the ledger bounded. Each run row is summarized into its day as it is written (record.ts),
 * so compaction only deletes: run rows, their gateway samples and check transitions older than monitoring.ledger
 * retentionDays (their days stay, as daily summaries), then, while the file is still over
 * monitoring.ledger.maxMB, the oldest half of what is left of them. Events, incidents, sign-offs and
 * the daily summaries are never deleted (a few rows a day). Runs at most once an hour, inside the
 * writer's transaction; freed pages are returned by an incremental vacuum.
 */
import { getMeta, setMeta, write, type Ledger } from './db.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface CompactPolicy {
  retentionDays: number;
  maxBytes: number;
}

export interface Compacted {
  ran: boolean;
  deletedRuns: number;
  deletedTransitions: number;
  bytes: number;
}

const size = (l: Ledger): number => (l.db.prepare('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()').get() as { n: number }).n;
const live = (l: Ledger): number => {
  const r = l.db.prepare('SELECT (page_count - freelist_count) * page_size AS n FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()').get() as { n: number };
  return r.n;
};

export function compact(l: Ledger, p: CompactPolicy, now: Date, force = false): Compacted {
  const at = now.getTime();
  const last = Number(getMeta(l, 'compacted_at') ?? 0);
  if (!force && at - last < HOUR_MS) return { ran: false, deletedRuns: 0, deletedTransitions: 0, bytes: size(l) };
  const r = write(l, () => {
    let cutoff = at - p.retentionDays * DAY_MS;
    const samples = l.db.prepare('DELETE FROM samples WHERE at < ?');
    let deletedRuns = Number(l.db.prepare('DELETE FROM runs WHERE at < ?').run(cutoff).changes);
    samples.run(cutoff);
    let deletedTransitions = Number(l.db.prepare('DELETE FROM transitions WHERE at < ?').run(cutoff).changes);
    // over the cap: halve what is kept of runs and transitions until under it (or nothing is left to halve)
    for (let i = 0; i < 20 && live(l) > p.maxBytes; i++) {
      const oldest = (l.db.prepare('SELECT min(at) AS m FROM (SELECT at FROM runs UNION ALL SELECT at FROM transitions UNION ALL SELECT at FROM samples)').get() as { m: number | null }).m;
      if (oldest === null || oldest >= at) break;
      cutoff = oldest + Math.ceil((at - oldest) / 2);
      deletedRuns += Number(l.db.prepare('DELETE FROM runs WHERE at < ?').run(cutoff).changes);
      samples.run(cutoff);
      deletedTransitions += Number(l.db.prepare('DELETE FROM transitions WHERE at < ?').run(cutoff).changes);
    }
    setMeta(l, 'compacted_at', String(at));
    return { deletedRuns, deletedTransitions };
  });
  if (r.deletedRuns + r.deletedTransitions > 0) l.db.exec('PRAGMA incremental_vacuum');
  return { ran: true, ...r, bytes: size(l) };
}
