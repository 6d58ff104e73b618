/**
 * One alerting round after a check run (`clawops check --alert`, what the check timers run):
 * the book turns the results into events; every event sink gets the new events after the due
 * retries from the spool, oldest first; what a sink does not take is spooled for it (retried with
 * backoff, delivered once when it answers again, given up after `retryHours` and counted); a sink
 * failing three times in a row is itself an alert to the other sinks (resolved when it takes a
 * delivery again); the health profile pings the dead-man URLs with its outcome.
 */
import type { CheckResult } from '../checks/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { type AlertEvent, nextBook } from './book.ts';
import { type AlertSink, deliver, type EventSink, ping, sinkName } from './deliver.ts';
import { type AlertStore, loadStore, retryDelayMs, saveStore, type SpoolEntry } from './store.ts';

export interface DispatchReport {
  host: string;
  events: { key: string; kind: string }[];
  delivered: number;
  spooled: number;
  retried: number;
  dropped: number;
  sinks: { sink: string; ok: boolean; error?: string }[];
  notes: string[];
}

export interface DispatchOptions {
  now: Date;
  env: NodeJS.ProcessEnv;
  /** the run's profile: the health profile pings the dead-man URLs */
  profile: string;
  gate: 'pass' | 'fail';
  timeoutMs?: number;
}

/** A sink failing this many deliveries in a row is reported through the others. */
export const SINK_FAILURES_ALERT = 3;

export async function hostName(ex: Executor): Promise<string> {
  const r = await ex.run(['uname', '-n'], { allowFailure: true, timeoutMs: 10_000 });
  return r.stdout.trim() || ex.target;
}

const isEventSink = (s: AlertSink): s is EventSink => s.type !== 'ping';

export async function dispatchAlerts(ex: Executor, spec: ResolvedSpec, results: readonly CheckResult[], o: DispatchOptions): Promise<DispatchReport> {
  const host = await hostName(ex);
  const { store, note } = await loadStore(ex, spec.stateDir);
  const policy = { host, now: o.now, remindHours: spec.monitoring.alerting.remindHours, minSeverity: spec.monitoring.alerting.minSeverity };
  const { book, events } = nextBook(store.book, results, policy);
  const report: DispatchReport = { host, events: events.map((e) => ({ key: e.key, kind: e.kind })), delivered: 0, spooled: 0, retried: 0, dropped: 0, sinks: [], notes: note ? [note] : [] };
  const next: AlertStore = { ...store, book, spool: [] };
  const ctx = { ex, env: o.env, remindHours: policy.remindHours, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) };
  const sinks = spec.monitoring.alerts;

  // what the spool still holds for sinks the spec no longer has (or has as another type) goes
  const { kept, dropped: expired } = pruneSpool(store.spool, sinks, o.now, spec.monitoring.alerting.retryHours);
  next.dropped += expired;
  report.dropped += expired;

  const round = async (i: number, fresh: readonly AlertEvent[]): Promise<void> => {
    const sink = sinks[i]!;
    if (!isEventSink(sink)) return;
    const mine = kept.filter((s) => s.sink === i);
    next.spool.push(...mine.filter((s) => Date.parse(s.nextAt) > o.now.getTime()));
    // oldest first: the due retries, then this run's events; one at a time, so a failure spools only what did not go out
    const batch: { event: AlertEvent; prev?: SpoolEntry }[] = [
      ...mine.filter((s) => Date.parse(s.nextAt) <= o.now.getTime()).map((s) => ({ event: s.event, prev: s })),
      ...fresh.map((event) => ({ event })),
    ];
    if (batch.length === 0) return;
    const name = sinkName(sink, i);
    let sent = 0;
    try {
      for (const b of batch) {
        await deliver(sink, [b.event], ctx);
        sent++;
        report.delivered++;
        if (b.prev) report.retried++;
      }
      next.sinks[String(i)] = { sinkType: sink.type, failures: 0, lastOkAt: o.now.toISOString() };
      report.sinks.push({ sink: name, ok: true });
    } catch (err) {
      const error = (err as Error).message;
      const health = next.sinks[String(i)] ?? { sinkType: sink.type, failures: 0 };
      next.sinks[String(i)] = { ...health, sinkType: sink.type, failures: health.failures + 1, lastError: error, lastErrorAt: o.now.toISOString() };
      report.sinks.push({ sink: name, ok: false, error });
      for (const b of batch.slice(sent)) {
        next.spool.push(spoolEntry(i, sink.type, b.event, o.now, error, b.prev));
        if (!b.prev) report.spooled++;
      }
    }
  };

  for (let i = 0; i < sinks.length; i++) await round(i, events);

  // a sink that keeps failing is an alert of its own, to the other sinks
  const sinkResults: CheckResult[] = sinks.map((s, i) => {
    const h = next.sinks[String(i)];
    const failing = isEventSink(s) && (h?.failures ?? 0) >= SINK_FAILURES_ALERT;
    return {
      id: `alerts.sink[${sinkName(s, i)}]`, title: `alert sink ${sinkName(s, i)} delivers`, area: 'monitoring', severity: 'warn',
      status: failing ? 'fail' : 'pass',
      evidence: failing ? `${h!.failures} deliveries in a row failed, last: ${h!.lastError ?? ''}; ${next.spool.filter((x) => x.sink === i).length} alert(s) spooled for it` : 'delivers',
      remediation: `fix the sink (clawops alert test says what it answers); spooled alerts go out once it takes them`, durationMs: 0,
    };
  });
  const sinkRound = nextBook(next.book, sinkResults, policy);
  next.book = sinkRound.book;
  for (const e of sinkRound.events) {
    report.events.push({ key: e.key, kind: e.kind });
    for (let i = 0; i < sinks.length; i++) {
      const about = e.check === `alerts.sink[${sinkName(sinks[i]!, i)}]`;
      if (about && e.kind !== 'resolved') continue;
      const sink = sinks[i]!;
      if (!isEventSink(sink)) continue;
      try {
        await deliver(sink, [e], ctx);
        report.delivered++;
      } catch (err) {
        next.spool.push(spoolEntry(i, sink.type, e, o.now, (err as Error).message));
        report.spooled++;
      }
    }
  }

  if (o.profile === 'health') {
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i]!;
      if (sink.type !== 'ping') continue;
      try {
        await ping(sink, o.gate === 'pass' ? 'success' : 'fail', ctx);
        report.sinks.push({ sink: sinkName(sink, i), ok: true });
      } catch (err) {
        report.sinks.push({ sink: sinkName(sink, i), ok: false, error: (err as Error).message });
      }
    }
  }
  // the every-minute health run of a quiet host changes nothing: no write then
  if (note || JSON.stringify(next) !== JSON.stringify(store)) await saveStore(ex, spec.stateDir, next);
  return report;
}

/** The health run's `/start` ping, before the probes (a run that hangs then shows as started, never finished). */
export async function pingStart(ex: Executor, spec: ResolvedSpec, env: NodeJS.ProcessEnv): Promise<string[]> {
  const errors: string[] = [];
  for (const [i, sink] of spec.monitoring.alerts.entries()) {
    if (sink.type !== 'ping') continue;
    await ping(sink, 'start', { ex, env, remindHours: 0 }).catch((err: Error) => errors.push(`${sinkName(sink, i)}: ${err.message}`));
  }
  return errors;
}

/** A delivery that failed (again): retried after the backoff its attempts earn, aged from its first try. */
function spoolEntry(sink: number, sinkType: string, event: AlertEvent, now: Date, lastError: string, prev?: SpoolEntry): SpoolEntry {
  const attempts = (prev?.attempts ?? 0) + 1;
  return { sink, sinkType, event, attempts, firstAt: prev?.firstAt ?? now.toISOString(), nextAt: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(), lastError };
}

function pruneSpool(spool: readonly SpoolEntry[], sinks: readonly AlertSink[], now: Date, retryHours: number): { kept: SpoolEntry[]; dropped: number } {
  const kept = spool.filter((s) => sinks[s.sink]?.type === s.sinkType && now.getTime() - Date.parse(s.firstAt) < retryHours * 3_600_000);
  return { kept, dropped: spool.length - kept.length };
}
