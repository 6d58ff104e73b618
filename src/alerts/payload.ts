/** What each kind of sink receives for an alert event (pure). */
import type { AlertEvent } from './book.ts';

export const ALERT_SCHEMA = 'clawops.alert/1';

/** The generic JSON body (webhook `format: generic`, and a command's stdin). */
export function genericPayload(e: AlertEvent): Record<string, unknown> {
  return { schema: ALERT_SCHEMA, ...e };
}

const where = (e: AlertEvent) => `${e.check}${e.instance ? `[${e.instance}]` : ''} on ${e.host}`;

/** One message a person reads (chat webhooks, the journal). */
export function alertText(e: AlertEvent): string {
  if (e.kind === 'resolved') return `[RESOLVED] ${where(e)}: ${e.title} (now ${e.status}; failing since ${e.firstSeen})`;
  const head = `[${e.kind === 'reminder' ? 'STILL FAILING' : 'FIRING'}] ${e.severity} ${where(e)}: ${e.title}`;
  return `${head}\n${e.status}: ${e.evidence}\nfix: ${e.remediation}\nsince ${e.firstSeen}`;
}

/** Slack (`text`) and Discord (`content`, at most 2000 characters) incoming webhooks take this body. */
export function chatPayload(e: AlertEvent): Record<string, unknown> {
  const text = alertText(e);
  return { text, content: text.length > 2000 ? `${text.slice(0, 1997)}...` : text };
}

/**
 * Alertmanager's `POST /api/v2/alerts`: labels identify the alert (Alertmanager groups and
 * deduplicates by them), a firing alert lasts until `endsAt` unless sent again (each reminder
 * extends it), a resolved one ends now.
 */
export function alertmanagerPayload(events: readonly AlertEvent[], remindHours: number): Record<string, unknown>[] {
  return events.map((e) => ({
    labels: {
      alertname: 'ClawopsCheckFailing',
      check: e.check,
      host: e.host,
      severity: e.severity,
      ...(e.instance ? { openclaw_instance: e.instance } : {}),
    },
    annotations: { summary: e.title, evidence: e.evidence, remediation: e.remediation, status: e.status },
    startsAt: e.firstSeen,
    endsAt: e.kind === 'resolved' ? e.at : new Date(Date.parse(e.at) + 2 * remindHours * 3_600_000).toISOString(),
  }));
}

/** A syslog priority for the journal sink. */
export function journalPriority(e: AlertEvent): string {
  if (e.kind === 'resolved') return 'daemon.notice';
  return e.severity === 'critical' ? 'daemon.crit' : 'daemon.warning';
}
