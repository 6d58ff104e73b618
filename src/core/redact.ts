/**
 * Secret redaction. Every value that clawops knows to be secret is registered here once
 * (when it is generated or read), and every string that leaves the process through an
 * error, a log line, a report or --json output passes through `redact` first.
 */
const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 8;
export const REDACTED = '[REDACTED]';

export function registerSecret(value: string): void {
  const v = value.trim();
  if (v.length >= MIN_SECRET_LENGTH) secrets.add(v);
}

export function forgetSecrets(): void {
  secrets.clear();
}

export function redact(text: string, extra: readonly string[] = []): string {
  let out = text;
  for (const s of [...secrets, ...extra]) {
    if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Deep-redacts any JSON-like value (strings anywhere in it). */
export function redactValue<T>(value: T, extra: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, extra) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, extra)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, extra);
    return out as T;
  }
  return value;
}
