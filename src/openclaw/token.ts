/**
 * The gateway token: clawops generates it (32 random bytes, hex), registers it for redaction the
 * moment it exists, and moves it only through stdin and 0600 files owned by the service user —
 * never argv, never output, never the plan.
 *   9.x: the value lives in the instance EnvironmentFile (OPENCLAW_GATEWAY_TOKEN=...), the config
 *        holds the reference "${OPENCLAW_GATEWAY_TOKEN}".
 *   2.x: `gateway.auth.token` and `gateway.remote.token` in the config, always equal, one write.
 */
import { envTextWith } from '../core/env-file.ts';
import { safeMkdir, safeRead } from '../core/safe-fs.ts';
import { randomBytes } from 'node:crypto';
import { registerSecret } from '../core/redact.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { getPath, parseConfigText, setPath } from './config-doc.ts';
import { openclawRun, writeConfigWithBackups } from './config-write.ts';
import { configPath } from './paths.ts';
import { capabilities } from './versions.ts';

export const TOKEN_ENV = 'OPENCLAW_GATEWAY_TOKEN';
export const TOKEN_REF = '${OPENCLAW_GATEWAY_TOKEN}';

/**
 * A config value that refers to environment variable `name`: a SecretRef object on 9.x (`doctor --lint`
 * reports the `${ENV}` string form as a plaintext secret-bearing field), `${NAME}` before.
 */
export function envRefValue(name: string, version: string): string | { source: string; provider: string; id: string } {
  return capabilities(version).tokenSecretRef ? { source: 'env', provider: 'default', id: name } : `\${${name}}`;
}

/** What `gateway.auth.token` holds on this version when the token comes from the EnvironmentFile. */
export function tokenRefValue(version: string): string | { source: string; provider: string; id: string } {
  return envRefValue(TOKEN_ENV, version);
}

/** True when `v` is the reference this version wants (the SecretRef object, or the `${ENV}` string before it). */
export function isTokenRef(v: unknown, version: string): boolean {
  if (!capabilities(version).tokenSecretRef) return v === TOKEN_REF;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.source === 'env' && o.id === TOKEN_ENV && (o.provider === undefined || o.provider === 'default') && Object.keys(o).every((k) => ['source', 'provider', 'id'].includes(k));
}
const TOKEN_RE = /^[0-9a-f]{64}$/;

export function generateToken(): string {
  const t = randomBytes(32).toString('hex');
  registerSecret(t);
  return t;
}

export const isWellFormedToken = (t: unknown): t is string => typeof t === 'string' && TOKEN_RE.test(t);

/** The token from env-file text (registered as a secret), or undefined. */
export function tokenFromEnvText(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?OPENCLAW_GATEWAY_TOKEN=(["']?)(.*)\1\s*$/.exec(line);
    if (m?.[2]) {
      registerSecret(m[2]);
      return m[2];
    }
  }
  return undefined;
}

/** The token the gateway currently uses (registered as a secret), read from where clawops keeps it. */
export function currentToken(ex: Executor, inst: ResolvedInstance, version: string): Promise<string | undefined> {
  return tokenAt(ex, version, inst.envFile, configPath(inst));
}

/**
 * The token in the env file (9.x) or openclaw.json (2.x), read as root without following a link the
 * service user planted (both files are in its home).
 */
export async function tokenAt(ex: Executor, version: string, envFile: string, config: string): Promise<string | undefined> {
  if (capabilities(version).tokenEnvReference) {
    const buf = await safeRead(ex, envFile);
    return buf === null ? undefined : tokenFromEnvText(buf.toString('utf8'));
  }
  const buf = await safeRead(ex, config);
  if (buf === null) return undefined;
  const t = getPath(parseConfigText(buf.toString('utf8'), config), ['gateway', 'auth', 'token']);
  if (typeof t === 'string' && t.length > 0) {
    registerSecret(t);
    return t;
  }
  return undefined;
}

/** 9.x: writes the env file (0600, service user) with a new token; other lines are kept. */
export async function writeEnvToken(ex: Executor, inst: ResolvedInstance, token: string): Promise<void> {
  // no-follow: an env file swapped for a link to /etc/shadow must not have its lines copied into the new file
  const buf = await safeRead(ex, inst.envFile);
  const existing = buf === null ? '' : buf.toString('utf8');
  if (buf !== null) tokenFromEnvText(existing);
  await safeMkdir(ex, inst.stateDir, { mode: 0o700, owner: inst.user, group: inst.user });
  await ex.writeFile(inst.envFile, envTextWith(existing, { [TOKEN_ENV]: token }), { mode: 0o600, owner: inst.user, group: inst.user });
}

/** 9.x: the config refers to the env variable (a SecretRef where supported); a literal remote token (a mismatch waiting to happen) goes. */
export async function writeConfigTokenRef(ex: Executor, inst: ResolvedInstance, version: string): Promise<void> {
  const patch = { gateway: { auth: { mode: 'token', token: tokenRefValue(version) }, remote: { token: null } } };
  await openclawRun(ex, inst, version, ['config', 'patch', '--stdin'], { stdin: `${JSON.stringify(patch)}\n` });
}

/** 2.x: auth.token and remote.token set to the same value in ONE atomic write (with the .bak ring). */
export async function writeConfigTokens(ex: Executor, inst: ResolvedInstance, token: string): Promise<void> {
  const path = configPath(inst);
  const buf = await safeRead(ex, path);
  const doc = buf === null ? {} : parseConfigText(buf.toString('utf8'), path);
  const old = getPath(doc, ['gateway', 'auth', 'token']);
  if (typeof old === 'string') registerSecret(old);
  setPath(doc, ['gateway', 'auth', 'mode'], 'token');
  setPath(doc, ['gateway', 'auth', 'token'], token);
  setPath(doc, ['gateway', 'remote', 'token'], token);
  await safeMkdir(ex, inst.stateDir, { mode: 0o700, owner: inst.user, group: inst.user });
  await writeConfigWithBackups(ex, inst, path, `${JSON.stringify(doc, null, 2)}\n`);
}

export type AuthProbe = 'accepted' | 'refused' | 'unreachable';

// POST /tools/invoke (always enabled, gateway auth, every version here): 401 = refused; any other
// answer (404 for this unknown tool) = the token was accepted. The token arrives on stdin.
const AUTH_PROBE_SCRIPT = `let t = '';
process.stdin.on('data', (d) => (t += d)).on('end', () => {
  fetch(process.argv[1], { method: 'POST', signal: AbortSignal.timeout(10000),
    headers: { authorization: 'Bearer ' + t.trim(), 'content-type': 'application/json' },
    body: JSON.stringify({ tool: 'clawops_auth_probe', args: {} }) })
    .then((r) => process.stdout.write(String(r.status)))
    .catch((e) => { process.stderr.write(String(e)); process.exit(3); });
});`;

export function probeToken(ex: Executor, inst: ResolvedInstance, token: string): Promise<AuthProbe> {
  return probeTokenOnPort(ex, inst.port, token);
}

export async function probeTokenOnPort(ex: Executor, port: number, token: string): Promise<AuthProbe> {
  const r = await ex.run(['node', '-e', AUTH_PROBE_SCRIPT, `http://127.0.0.1:${port}/tools/invoke`], {
    stdin: token,
    allowFailure: true,
    timeoutMs: 20_000, // root runs node from its fixed PATH, never the service user's prefix
  });
  if (r.exitCode !== 0) return 'unreachable';
  return r.stdout.trim() === '401' ? 'refused' : 'accepted';
}

/** Token facts without the token: what the plan and the checks need. */
export interface TokenFacts {
  [k: string]: boolean | string | null;
  /** 9.x: env file present, 0600, owned by the service user, holding a well-formed token */
  envFileOk: boolean | null;
  envFileMode: string | null;
  /** 9.x: config holds "${OPENCLAW_GATEWAY_TOKEN}" */
  configRef: boolean;
  /** a literal token is in the config (9.x: should not be; 2.x: expected) */
  configLiteral: boolean;
  /** 2.x: auth.token and remote.token equal and well-formed */
  configPairOk: boolean;
  /** 9.x: a literal remote.token is left in the config */
  remoteLiteral: boolean;
}


