/**
 * Delivery of alert events to one sink. HTTP sinks are called from this clawops process (on the
 * host itself when a check timer runs it); the command and the journal run on the target. A
 * secret URL is read from its reference each time and registered for redaction; it never appears
 * in an error, a record or argv (HTTP bodies and command stdin carry the events).
 */
import { ClawopsError } from '../core/errors.ts';
import { redact, registerSecret } from '../core/redact.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { SecretRefData } from '../desired/schema.ts';
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

export async function secretValue(ex: Executor, ref: SecretRefData, env: NodeJS.ProcessEnv, what: string): Promise<string> {
  let v: string | undefined;
  if ('file' in ref) {
    const b = await ex.readFile(ref.file).catch(() => null);
    if (b === null) throw new ClawopsError(`${what}: ${ref.file} cannot be read on ${ex.target}`, { hint: `create it (mode 600) with the URL in it` });
    v = b.toString('utf8').trim();
  } else {
    v = env[ref.env]?.trim();
    if (!v) throw new ClawopsError(`${what}: the variable ${ref.env} is not set`, { hint: `export ${ref.env}, or point the sink at a file` });
  }
  if (!v) throw new ClawopsError(`${what}: the reference holds nothing`, { hint: 'write the URL into it' });
  registerSecret(v);
  return v;
}

/** POST a JSON body; anything but 2xx is a failure whose message names the status, never the URL. */
export async function postJson(url: string, body: unknown, timeoutMs = HTTP_TIMEOUT_MS): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new Error(redact(`no answer: ${e.cause?.code ?? e.name}`));
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}

/** Delivers events to one sink; throws with a one-line reason (redacted) when it did not take them. */
export async function deliver(sink: EventSink, events: readonly AlertEvent[], ctx: DeliveryContext): Promise<void> {
  if (events.length === 0) return;
  const timeoutMs = ctx.timeoutMs ?? HTTP_TIMEOUT_MS;
  switch (sink.type) {
    case 'webhook': {
      const url = await secretValue(ctx.ex, sink.url, ctx.env, 'alert webhook');
      for (const e of events) await postJson(url, sink.format === 'slack' ? chatPayload(e) : genericPayload(e), timeoutMs);
      return;
    }
    case 'alertmanager':
      await postJson(`${sink.url.replace(/\/+$/, '')}/api/v2/alerts`, alertmanagerPayload(events, ctx.remindHours), timeoutMs);
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
  const url = what === 'success' ? base : `${base}/${what}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(ctx.timeoutMs ?? HTTP_TIMEOUT_MS) });
  } catch (err) {
    throw new Error(redact(`no answer: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`));
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}
