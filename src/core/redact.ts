/**
 * Secret redaction: the one function every output path uses (views, errors, records, facts
 * bundles, plan diffs, journal metadata, progress lines).
 *
 * Two layers, both applied by `redact`:
 * 1. By value. Every value clawops knows to be secret on this run is registered here once (when it
 *    is generated, or read: resolved secret references of the spec, the gateway token, the
 *    restic password, values of env files and configs known to hold secrets) and replaced
 *    wherever it appears, whatever the context.
 * 2. By shape, for what nobody registered (a legacy unit's inline token, a foreign config key):
 *    URL userinfo passwords and secret-looking query parameters, `Bearer`/`Basic` credentials,
 *    `Authorization:` values, KEY=VALUE / "key": "value" with a secret-looking key and a
 *    credential-looking value, PEM private keys. Those become descriptors
 *    (`<secret len=N fp=xxxxxxxx>`): length and a 32-bit sha256 fingerprint, enough to compare two
 *    values, useless to recover one.
 * Structured dumps (facts bundles, records) go through `redactStructured`: fields on an allow-list
 * are kept (after layer 1), every other string gets both layers, and a string under a
 * secret-looking key becomes a descriptor whatever it looks like.
 */
const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 8;
export const REDACTED = '[REDACTED]';
export const SECRET_PREFIX = '<secret ';

export function registerSecret(value: string): void {
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  secrets.add(v);
  // the same value as it appears inside a URL (a password with '@' or '/' in a repository URL)
  const enc = encodeURIComponent(v);
  if (enc !== v) secrets.add(enc);
}

export function forgetSecrets(): void {
  secrets.clear();
}

/** True when the text holds a registered secret (the journal asks this of a before-image). */
export function holdsSecret(text: string): boolean {
  for (const s of secrets) if (text.includes(s)) return true;
  return false;
}

/** `<secret len=64 fp=1a2b3c4d>`; the fingerprint is 32 bits of sha256. The value is registered. */
export function describeSecret(value: string): string {
  registerSecret(value);
  // loaded on first use: the health profile never sees a secret and should not pay for node:crypto
  const { createHash } = process.getBuiltinModule('node:crypto');
  const fp = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${SECRET_PREFIX}len=${Buffer.byteLength(value)} fp=${fp}>`;
}

export interface RedactOptions {
  /** values to redact besides the registered ones (a call's own secrets) */
  extra?: readonly string[];
  /** replace registered values by descriptors instead of [REDACTED] (facts bundles: checks compare fingerprints) */
  describe?: boolean;
}

/** Text with every registered (and `extra`) value and every credential-shaped value replaced. */
export function redact(text: string, opts: readonly string[] | RedactOptions = {}): string {
  const o: RedactOptions = Array.isArray(opts) ? { extra: opts as readonly string[] } : (opts as RedactOptions);
  return scrubShapes(byValue(text, o));
}

function byValue(text: string, o: RedactOptions): string {
  let out = text;
  // longest first: a secret that contains another is replaced whole
  const all = [...secrets, ...(o.extra ?? [])]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const s of all) {
    if (out.includes(s)) out = out.split(s).join(o.describe ? describeSecret(s) : REDACTED);
  }
  return out;
}

/** Keys whose values are credentials (env names, JSON keys, query parameters, headers). */
const SECRET_KEY = String.raw`[\w.-]*?(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|apikey|access[_-]?key` +
  String.raw`|private[_-]?key|webhook[_-]?url|authorization|credentials?|signature|sig)`;
const SECRET_KEY_RE = new RegExp(`^${SECRET_KEY}$`, 'i');
const PASSWORD_KEY_RE = /(passw(or)?d|pwd|secret)$/i;

/** A key (of JSON, env, a query) whose value is a secret by name. */
export const isSecretKey = (key: string): boolean => SECRET_KEY_RE.test(key);

/** Placeholders and references that are never secrets themselves. */
function isPlaceholder(v: string): boolean {
  return (
    v.startsWith(SECRET_PREFIX) || v === REDACTED || /^\*+$/.test(v) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v) ||
    /^(true|false|null|none|unset|yes|no|\d+)$/i.test(v) || /^[/{[<]/.test(v)
  );
}

function entropyBitsPerChar(v: string): number {
  const n = new Map<string, number>();
  for (const c of v) n.set(c, (n.get(c) ?? 0) + 1);
  let h = 0;
  for (const k of n.values()) h -= (k / v.length) * Math.log2(k / v.length);
  return h;
}

/**
 * Does this value look like a credential? Under a password-like key: anything real. Under another
 * secret-named key (token, apiKey...): 8+ characters that are not a plain word. Without a key
 * (after `Bearer`, as a URL's lone userinfo): 16+ characters mixing letters and digits, not repetitive.
 */
export function looksLikeCredential(value: string, key = ''): boolean {
  if (isPlaceholder(value)) return false;
  if (PASSWORD_KEY_RE.test(key)) return value.length >= 4;
  if (key !== '' && isSecretKey(key)) return value.length >= 8 && !/^[a-z]+(-[a-z]+)*$/.test(value);
  return value.length >= 16 && /\d/.test(value) && /[a-z]/i.test(value) && entropyBitsPerChar(value) >= 2.5;
}

// KEY=VALUE, or KEY: VALUE with a space after the colon (YAML, headers): `kind:name` (a resource id
// like openclaw-token:openclaw) is a label, never a key and its value
const KV_RE = new RegExp(String.raw`(^|[^\w.-])(${SECRET_KEY})([ \t]*=[ \t]*|[ \t]*:[ \t]+)(["']?)([^\s"'&,;<>]+)\4`, 'gim');
const JSON_RE = new RegExp(String.raw`("(${SECRET_KEY})"\s*:\s*")((?:[^"\\]|\\.)*)(")`, 'gi');
const URL_USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"<>]*)(?::([^\s/@'"<>]*))?@/gi;
const QUERY_RE = new RegExp(String.raw`([?&;](${SECRET_KEY})=)([^&#\s"'<>]+)`, 'gi');
const AUTH_SCHEME_RE = /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;
const PEM_RE = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

function scrubShapes(text: string): string {
  return text
    .replace(PEM_RE, (m) => describeSecret(m))
    .replace(URL_USERINFO_RE, (m, scheme: string, user: string, pass: string | undefined) => {
      if (pass !== undefined) {
        return pass === '' || isPlaceholder(pass) ? m : `${scheme}${user}:${describeSecret(pass)}@`;
      }
      // a lone userinfo is a user name, unless it is a token (https://TOKEN@host)
      return looksLikeCredential(user) ? `${scheme}${describeSecret(user)}@` : m;
    })
    .replace(QUERY_RE, (m, head: string, _key: string, v: string) =>
      isPlaceholder(v) || v.length < 4 ? m : `${head}${describeSecret(v)}`,
    )
    .replace(AUTH_SCHEME_RE, (m, scheme: string, sp: string, v: string) =>
      looksLikeCredential(v) ? `${scheme}${sp}${describeSecret(v)}` : m,
    )
    .replace(JSON_RE, (m, head: string, key: string, v: string, tail: string) =>
      looksLikeCredential(v, key) ? `${head}${describeSecret(v)}${tail}` : m,
    )
    .replace(KV_RE, (m, pre: string, key: string, sep: string, q: string, v: string) =>
      looksLikeCredential(v, key) ? `${pre}${key}${sep}${q}${describeSecret(v)}${q}` : m,
    );
}

/** Deep-redacts any JSON-like value (strings anywhere in it). */
export function redactValue<T>(value: T, opts: readonly string[] | RedactOptions = {}): T {
  if (typeof value === 'string') return redact(value, opts) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, opts)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const secret = typeof v === 'string' && isSecretKey(k) && looksLikeCredential(v, k);
      out[k] = secret ? describeSecret(v) : redactValue(v, opts);
    }
    return out as T;
  }
  return value;
}

/**
 * A structured dump (facts bundle, record) made safe: strings at `safe` paths (dotted, `*` for
 * any array index or key) are only redacted by value; strings under a secret-looking key become
 * descriptors; every other string is redacted by value and by shape. Registered values become
 * descriptors, so a recorded dump still compares equal values.
 */
export function redactStructured<T>(value: T, safe: readonly string[] = []): T {
  const part = (s: string) => (s === '*' ? '[^.]+' : s.replace(/[^\w-]/g, '\\$&'));
  const safeRes = safe.map((p) => new RegExp(`^${p.split('.').map(part).join('\\.')}$`));
  const walk = (v: unknown, path: string, key: string): unknown => {
    if (typeof v === 'string') {
      if (v !== '' && isSecretKey(key) && !isPlaceholder(v)) return describeSecret(v);
      if (safeRes.some((r) => r.test(path))) return byValue(v, { describe: true });
      return redact(v, { describe: true });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, path ? `${path}.${i}` : String(i), key));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, path ? `${path}.${k}` : k, k);
      return out;
    }
    return v;
  };
  return walk(value, '', '') as T;
}

/**
 * A URL (or restic repository) as it may be stored: userinfo removed entirely, secret-looking
 * query values replaced by descriptors. `rest:https://u:p@host/r` -> `rest:https://host/r`;
 * `sftp:user@host:/srv` -> `sftp:host:/srv`.
 */
export function safeUrl(url: string): string {
  const noUserinfo = url
    .replace(/^((?:[a-z0-9]+:)?[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1')
    .replace(/^(sftp:)[^/@:\s]+@/i, '$1');
  return redact(noUserinfo);
}
