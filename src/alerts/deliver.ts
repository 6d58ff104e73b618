/**
 * Delivery of alert events to one sink, on the target: HTTP through curl there (httpOnTarget), the
 * command and the journal too. A
 * secret URL is read from its reference each time and registered for redaction; it never appears
 * in an error, a record or argv (HTTP bodies and command stdin carry the events).
 */
import { redact } from '../core/redact.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { secretValue } from '../desired/secrets.ts';
import type { Executor } from '../exec/types.ts';
import type { AlertEvent } from './book.ts';
import { alertmanagerPayload, alertText, chatPayload, genericPayload, journalPriority } from './payload.ts';

export type AlertSink = ResolvedSpec['monitoring']['alerts'][number];
export type EventSink = Exclude<AlertSink, { type: 'ping' }>;

export interface DeliveryContext {
  ex: Executor;
  env: NodeJS.ProcessEnv;
  remindHours: number;
  timeoutMs?: number;
}

const HTTP_TIMEOUT_MS = 10_000;

/** A sink's short name for records and messages (never its URL). */
export function sinkName(s: AlertSink, i: number): string {
  return `${s.type}#${i + 1}`;
}

/** A curl config line's quoted value (curl's config syntax: backslash escapes inside double quotes). */
const curlQuote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;

/**
 * An HTTP request made on the target (where the alert is about: the check timers run there, and a
 * sink must be reachable from the host, not from an operator's laptop), by curl with its whole
 * configuration on stdin: the URL (which carries the sink's credential) is never in argv. Anything
 * but 2xx is a failure whose message is curl's, redacted.
 */
export async function httpOnTarget(ex: Executor, url: string, body: unknown | undefined, timeoutMs = HTTP_TIMEOUT_MS): Promise<void> {
  const config = [
    `url = ${curlQuote(url)}`,
    ...(body === undefined ? [] : ['request = "POST"', 'header = "content-type: application/json"', `data-binary = ${curlQuote(JSON.stringify(body))}`]),
    '',
  ].join('\n');
  const seconds = String(Math.max(1, Math.round(timeoutMs / 1000)));
  const r = await ex.run(['curl', '--silent', '--show-error', '--fail', '--output', '/dev/null', '--max-time', seconds, '--config', '-'], { stdin: config, allowFailure: true, timeoutMs: timeoutMs + 5000 });
  if (r.exitCode === 0) return;
  if (r.exitCode === 127) throw new Error('curl is not installed on the target (os.packages installs it)');
  throw new Error(redact(r.stderr.trim().split('\n').pop() || `curl exited ${r.exitCode}`));
}

/** Delivers events to one sink; throws with a one-line reason (redacted) when it did not take them. */
export async function deliver(sink: EventSink, events: readonly AlertEvent[], ctx: DeliveryContext): Promise<void> {
  if (events.length === 0) return;
  const timeoutMs = ctx.timeoutMs ?? HTTP_TIMEOUT_MS;
  switch (sink.type) {
    case 'webhook': {
      const url = await secretValue(ctx.ex, sink.url, ctx.env, 'alert webhook');
      for (const e of events) await httpOnTarget(ctx.ex, url, sink.format === 'slack' ? chatPayload(e) : genericPayload(e), timeoutMs);
      return;
    }
    case 'alertmanager':
      await httpOnTarget(ctx.ex, `${sink.url.replace(/\/+$/, '')}/api/v2/alerts`, alertmanagerPayload(events, ctx.remindHours), timeoutMs);
      return;
    case 'command':
      for (const e of events) {
        const r = await ctx.ex.run(sink.argv, { stdin: `${JSON.stringify(genericPayload(e))}\n`, allowFailure: true, timeoutMs: 30_000 });
        if (r.exitCode !== 0) throw new Error(`${sink.argv[0]} exited ${r.exitCode}: ${redact(r.stderr.trim().split('\n').pop() ?? '')}`);
      }
      return;
    case 'journal':
      for (const e of events) {
        const r = await ctx.ex.run(['logger', '-t', 'clawops-alert', '-p', journalPriority(e)], { stdin: `${alertText(e).replaceAll('\n', ' | ')}\n`, allowFailure: true, timeoutMs: 10_000 });
        if (r.exitCode !== 0) throw new Error(`logger exited ${r.exitCode}`);
      }
      return;
  }
}

/** The dead-man ping (healthchecks.io / Uptime Kuma push): `/start`, the URL itself, or `/fail`. */
export async function ping(sink: Extract<AlertSink, { type: 'ping' }>, what: 'start' | 'success' | 'fail', ctx: DeliveryContext): Promise<void> {
  const base = (await secretValue(ctx.ex, sink.url, ctx.env, 'dead-man ping')).replace(/\/+$/, '');
  await httpOnTarget(ctx.ex, what === 'success' ? base : `${base}/${what}`, undefined, ctx.timeoutMs);
}
