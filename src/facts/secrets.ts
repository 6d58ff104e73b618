/**
 * Raw facts are recorded to files and printed in evidence, so secret values never enter a raw:
 * the probe replaces them with a descriptor that keeps what checks need (present, length, an
 * env reference, and a short fingerprint to compare two values) and nothing that reveals them.
 */
import { describeSecret, isSecretKey, redact, SECRET_PREFIX } from '../core/redact.ts';
import { readRaw } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export { describeSecret, SECRET_PREFIX };

export interface SecretDescriptor {
  length: number;
  fingerprint: string;
}

export function parseSecretDescriptor(s: unknown): SecretDescriptor | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^<secret len=(\d+) fp=([0-9a-f]{8})>$/.exec(s);
  return m ? { length: Number(m[1]), fingerprint: m[2] ?? '' } : undefined;
}

/** An env reference like `${OPENCLAW_GATEWAY_TOKEN}` is not a secret: it is kept as is. */
export const ENV_REF_RE = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/** By name: the shared secret-key test of core/redact plus any `...key` (OpenClaw's provider `apiKey`, `privateKey`). */
const isSecretName = (key: string): boolean => isSecretKey(key) || /key$/i.test(key);

/** Deep copy of a JSON value with every secret-looking string value replaced by its descriptor. */
export function sanitizeJson(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (isSecretName(key) && value !== '' && !ENV_REF_RE.test(value) && !value.startsWith(SECRET_PREFIX)) return describeSecret(value);
    // under any other key: a URL with a password, a bearer token, a registered value
    return redact(value, { describe: true });
  }
  if (Array.isArray(value)) return value.map((v) => sanitizeJson(v, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = sanitizeJson(v, k);
    return out;
  }
  return value;
}

/** KEY=VALUE lines (an EnvironmentFile): values of secret-looking keys replaced by descriptors. */
export function sanitizeEnvFile(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=)(.*)$/.exec(line);
      if (!m || !(isSecretName(m[2] ?? '') || /(TOKEN|PASSWORD|SECRET|KEY)/i.test(m[2] ?? ''))) return line;
      const v = unquote((m[3] ?? '').trim());
      return v === '' ? line : `${m[1]}${describeSecret(v)}`;
    })
    .join('\n');
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/**
 * What a spec secret reference holds, as a descriptor (so a plan can tell whether a copy of it is
 * current without the value entering a raw). Argument: `env:NAME` (clawops' own environment, as
 * the apply that copies it reads it) or `file:/path` (read on the target).
 */
export const secretSource: FactKind<{ missing: true } | { missing: false; descriptor: string }> = {
  kind: 'secret-source',
  describe: 'the value a secret reference leads to, as a descriptor',
  async probe(ex, arg) {
    if (arg.startsWith('env:')) {
      const v = process.env[arg.slice(4)]?.trim();
      return { t: 'file', content: v ? describeSecret(v) : null, durationMs: 0 };
    }
    const raw = await readRaw(ex, arg.slice(5));
    if (raw.t !== 'file' || raw.content === null) return raw;
    const v = raw.content.trim();
    return { ...raw, content: v ? describeSecret(v) : null };
  },
  parse(raw, arg) {
    if (raw.t === 'error') return unknown(`read ${arg}: ${raw.message}`);
    if (raw.t !== 'file') return unknown(`${arg}: unexpected raw`);
    return raw.content === null ? { missing: true } : { missing: false, descriptor: raw.content };
  },
};

/** The `secretSource` argument of a reference. */
export const secretSourceArg = (r: { file: string } | { env: string }): string => ('file' in r ? `file:${r.file}` : `env:${r.env}`);
