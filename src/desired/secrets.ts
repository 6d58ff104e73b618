/**
 * The secret values a run knows about, registered for redaction once per process before anything
 * is printed or recorded: the spec's resolved secret references (gateway token, restic password,
 * alert webhook URLs; from clawops' environment or from files on the target), the password in a
 * repository URL, and the values of the files known to hold secrets (each instance's env file,
 * secret-named keys of its openclaw.json). The files are read in one command on the target; a
 * file that is missing or unreadable registers nothing (this never fails a run: the command that
 * needs the secret reports that itself).
 */
import { ClawopsError } from '../core/errors.ts';
import { isSecretKey, looksLikeCredential, registerSecret } from '../core/redact.ts';
import type { Executor } from '../exec/types.ts';
import { parseJson5 } from '../facts/json5.ts';
import type { ResolvedSpec } from './resolve.ts';
import type { SecretRefData } from './schema.ts';

/** The value a reference leads to: clawops' own environment, or a file read on the target. Registered for redaction. */
export async function secretValue(ex: Executor, ref: SecretRefData, env: NodeJS.ProcessEnv, what: string): Promise<string> {
  let v: string | undefined;
  if ('file' in ref) {
    const b = await ex.readFile(ref.file).catch(() => null);
    if (b === null) throw new ClawopsError(`${what}: ${ref.file} cannot be read on ${ex.target}`, { hint: `create it (mode 600, root) with the ${what} in it` });
    v = b.toString('utf8').trim();
  } else {
    v = env[ref.env]?.trim();
    if (!v) throw new ClawopsError(`${what}: the variable ${ref.env} is not set`, { hint: `export ${ref.env}, or refer to a file instead ({file: /etc/clawops/<name>})` });
  }
  if (!v) throw new ClawopsError(`${what}: the reference holds nothing`, { hint: `write the ${what} into it` });
  registerSecret(v);
  return v;
}

/** Every secret reference in the spec. */
export function secretRefs(spec: ResolvedSpec): SecretRefData[] {
  const refs: SecretRefData[] = [spec.backup.password];
  if (spec.gateway.auth.token) refs.push(spec.gateway.auth.token);
  for (const a of spec.monitoring.alerts) if (a.type === 'webhook' || a.type === 'ping') refs.push(a.url);
  for (const p of Object.values(spec.providers)) if (p.apiKey) refs.push(p.apiKey);
  if (spec.channels.telegram) refs.push(spec.channels.telegram.botToken);
  const pub = spec.report.publish;
  if (pub && 's3' in pub) refs.push(pub.s3.accessKeyId, pub.s3.secretAccessKey);
  return refs;
}

/** Files on the target whose content is secret as a whole (referenced by the spec). */
export function secretRefFiles(spec: ResolvedSpec): string[] {
  return secretRefs(spec).flatMap((r) => ('file' in r ? [r.file] : []));
}

/** The password in a URL's userinfo (`rest:https://user:PASS@host/`), if any. */
export function urlPassword(url: string): string | undefined {
  return /^(?:[a-z0-9]+:)?[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@/\s]+)@/i.exec(url)?.[1];
}

/** Values of secret-named keys in KEY=VALUE text (an EnvironmentFile). */
export function envFileSecrets(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(["']?)(.*)\2\s*$/.exec(line);
    const key = m?.[1] ?? '';
    if (m?.[3] && (isSecretKey(key) || /KEY$/i.test(key)) && looksLikeCredential(m[3], key)) out.push(m[3]);
  }
  return out;
}

/** Strings under secret-named keys of a JSON document (OpenClaw's config), env references excepted. */
export function jsonSecrets(doc: unknown, key = ''): string[] {
  // a path, a reference or a plain word under such a key is not a secret (looksLikeCredential)
  if (typeof doc === 'string') return isSecretKey(key) && looksLikeCredential(doc, key) ? [doc] : [];
  if (Array.isArray(doc)) return doc.flatMap((d) => jsonSecrets(d, key));
  if (doc !== null && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => jsonSecrets(v, k));
  return [];
}

/** Each existing file as a `=clawops-file PATH` line and its base64 on the next (one command for all). */
const READ_SCRIPT = 'for f; do [ -f "$f" ] || continue; printf "%s\\n" "=clawops-file $f"; ' +
  'base64 -w0 < "$f" 2>/dev/null; echo; done; true';

/** Registers every secret value the spec leads to (see the header). Returns how many values were found. */
export async function registerKnownSecrets(ex: Executor, spec: ResolvedSpec, env: NodeJS.ProcessEnv): Promise<number> {
  const values: string[] = [];
  for (const r of secretRefs(spec)) if ('env' in r && env[r.env]) values.push(env[r.env] as string);
  const pw = urlPassword(spec.backup.repository);
  if (pw) values.push(pw, decodeURIComponentSafe(pw));
  const whole = secretRefFiles(spec);
  // the gateway token's file, and ~/.openclaw/.env with the copies of provider keys and bot tokens (openclaw/env-secrets.ts)
  const envFiles = spec.resolved.flatMap((i) => [i.envFile, `${i.stateDir}/.env`]);
  const configs = spec.resolved.map((i) => `${i.stateDir}/openclaw.json`);
  const files = await readFiles(ex, [...whole, ...envFiles, ...configs]);
  for (const [path, text] of files) {
    if (whole.includes(path)) values.push(text, ...text.split('\n'));
    if (envFiles.includes(path)) values.push(...envFileSecrets(text));
    if (configs.includes(path)) {
      try {
        values.push(...jsonSecrets(parseJson5(text)));
      } catch {
        // an unparsable config holds nothing we can name; its checks say so
      }
    }
  }
  for (const v of values) registerSecret(v);
  return values.filter((v) => v.trim().length >= 8).length;
}

async function readFiles(ex: Executor, paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (paths.length === 0) return out;
  try {
    const argv = ['sh', '-c', READ_SCRIPT, 'sh', ...new Set(paths)];
    const r = await ex.run(argv, { allowFailure: true, timeoutMs: 30_000 });
    const lines = r.stdout.split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const head = lines[i] ?? '';
      if (!head.startsWith('=clawops-file ')) break;
      out.set(head.slice('=clawops-file '.length), Buffer.from(lines[i + 1] ?? '', 'base64').toString('utf8'));
    }
  } catch {
    // unreachable target: the command itself reports it
  }
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
