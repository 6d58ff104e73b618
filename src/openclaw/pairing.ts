/**
 * The service user's CLI device, paired with the gateway as `operator.read` and nothing more.
 *
 * Why: on 2026.9.x `security audit --deep` probes the gateway with a device identity only when
 * a cached operator device token exists in `state/openclaw.sqlite` (`device_auth_tokens`); without
 * one the gateway clears the probe's scopes and the audit reports `gateway.probe_failed`
 * ("missing scope: operator.read"). The ordinary CLI never sends its device identity on loopback
 * with the shared token, so nothing pairs it; `oc tui` does, but only interactively and with admin.
 *
 * How (OpenClaw's own client, non-interactive): a short Node program, run AS the service user
 * with the instance's fixed PATH, imports `GatewayClient` from the installed package's public
 * export `openclaw/plugin-sdk/gateway-runtime`, and connects once to 127.0.0.1 with the shared
 * token (from the EnvironmentFile, never argv), role operator, scopes [operator.read]. The gateway
 * silently approves a first-time device on a loopback shared-secret connection
 * (docs/gateway/pairing.md "Silent local pairing") with exactly the requested scopes, and the
 * client stores the issued device token where the audit probe looks for it. Nothing is printed
 * but the role and scopes the gateway granted.
 *
 * Reading it back (the fact): `node:sqlite` read-only on the same database, as the service user:
 * the device id of the primary identity, the role/scopes of its cached tokens and of its pairing
 * record. Token columns are never selected.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';

/** The narrowest scope the audit's deep probe needs (it asks for operator.read and nothing else). */
export const AUDIT_PROBE_SCOPE = 'operator.read';

/** The state database, relative to the state dir (OpenClaw 9.x). */
export const STATE_DB = 'state/openclaw.sqlite';

// argv: BIN PORT SCOPE. The token comes from the environment (the instance EnvironmentFile, loaded by openclawRun).
export const PAIR_SCRIPT = `import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [bin, port, scope] = process.argv.slice(1);
const fail = (m) => { process.stderr.write(m + '\\n'); process.exit(3); };
let d = dirname(realpathSync(bin));
const isOpenclaw = (p) => existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).name === 'openclaw';
while (d !== '/' && !isOpenclaw(join(d, 'package.json'))) d = dirname(d);
if (d === '/') fail('no openclaw package.json above ' + bin);
const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
const exp = pkg.exports && pkg.exports['./plugin-sdk/gateway-runtime'];
const rel = typeof exp === 'string' ? exp : exp && (exp.default || exp.import);
if (!rel) fail('openclaw ' + pkg.version + ' exports no plugin-sdk/gateway-runtime');
const { GatewayClient } = await import(pathToFileURL(join(d, rel)).href);
const token = process.env.OPENCLAW_GATEWAY_TOKEN;
if (!token) fail('OPENCLAW_GATEWAY_TOKEN is not set (the instance EnvironmentFile)');
let client;
const outcome = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ error: 'no hello from the gateway within 30 s' }), 30000);
  const end = (v) => { clearTimeout(timer); resolve(v); };
  client = new GatewayClient({
    url: 'ws://127.0.0.1:' + port, token, role: 'operator', scopes: [scope],
    clientName: 'cli', mode: 'cli', clientDisplayName: 'clawops (service user CLI, audit probe)',
    onHelloOk: (hello) => end({ hello }),
    onConnectError: (e) => end({ error: String((e && e.message) || e) }),
    onClose: (code, reason) => end({ error: 'closed ' + code + ' ' + reason }),
  });
  client.start();
});
await client.stopAndWait({ timeoutMs: 5000 }).catch(() => client.stop());
if (outcome.error) fail('gateway refused the pairing connect: ' + outcome.error);
const auth = outcome.hello.auth || {};
process.stdout.write(JSON.stringify({ role: auth.role ?? null, scopes: auth.scopes ?? [], deviceToken: Boolean(auth.deviceToken) }) + '\\n');
`;

// argv: DB. Prints what is paired, without a token column.
export const READ_PAIRING_SCRIPT = `import { existsSync } from 'node:fs';
const db0 = process.argv[1];
if (!existsSync(db0)) { process.stdout.write(JSON.stringify({ db: false }) + '\\n'); process.exit(0); }
const { DatabaseSync } = await import('node:sqlite');
const db = new DatabaseSync(db0, { readOnly: true });
const has = (t) => Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t));
const id = has('device_identities') ? db.prepare("SELECT device_id FROM device_identities WHERE identity_key = 'primary'").get() : undefined;
const deviceId = id ? id.device_id : null;
const cached = deviceId && has('device_auth_tokens')
  ? db.prepare('SELECT role, scopes_json FROM device_auth_tokens WHERE device_id = ?').all(deviceId).map((r) => ({ role: r.role, scopes: JSON.parse(r.scopes_json) }))
  : [];
const p = deviceId && has('device_pairing_paired')
  ? db.prepare('SELECT role, roles_json, scopes_json, approved_scopes_json, approved_via, client_id, client_mode FROM device_pairing_paired WHERE device_id = ?').get(deviceId)
  : undefined;
const arr = (s) => (s ? JSON.parse(s) : []);
const paired = p ? { role: p.role, roles: arr(p.roles_json), scopes: arr(p.scopes_json), approvedScopes: arr(p.approved_scopes_json), approvedVia: p.approved_via, clientId: p.client_id, clientMode: p.client_mode } : null;
process.stdout.write(JSON.stringify({ db: true, deviceId, cached, paired }) + '\\n');
`;

export interface PairingState {
  /** false when the state database does not exist yet (the gateway never ran) */
  db: boolean;
  /** the service user's primary device identity, when it exists */
  deviceId?: string | null;
  /** client side: the cached device tokens of that device (role + scopes; the token itself is never read) */
  cached?: { role: string; scopes: string[] }[];
  /** gateway side: the device's pairing record */
  paired?: { role: string | null; roles: string[]; scopes: string[]; approvedScopes: string[]; approvedVia: string | null; clientId: string | null; clientMode: string | null } | null;
}

/** Parses the read script's one JSON line; throws on anything else. */
export function parsePairingState(stdout: string): PairingState {
  const line = stdout.trim().split('\n').pop() ?? '';
  const v = JSON.parse(line) as PairingState;
  if (typeof v.db !== 'boolean') throw new Error('no "db" field');
  return v;
}

export type PairingVerdict =
  | { ok: true; detail: string }
  | { ok: false; reason: 'no-db' | 'no-identity' | 'not-paired' | 'no-cached-token' | 'too-wide' | 'too-narrow'; detail: string };

const operatorScopes = (s: PairingState) => s.cached?.find((c) => c.role === 'operator')?.scopes;

/**
 * Pure: is the service user's CLI device paired for the audit probe, with exactly `scope`?
 * Wider than `scope` (an `oc tui` pairing is operator.admin) is a finding: the device token sits
 * in a file the service user (and so the agent's tools, outside the sandbox) can read.
 */
export function judgePairing(s: PairingState, scope = AUDIT_PROBE_SCOPE): PairingVerdict {
  if (!s.db) return { ok: false, reason: 'no-db', detail: `no ${STATE_DB} yet (the gateway has not run)` };
  if (!s.deviceId) return { ok: false, reason: 'no-identity', detail: 'the service user has no CLI device identity' };
  const dev = `device ${s.deviceId.slice(0, 12)}`;
  if (!s.paired) return { ok: false, reason: 'not-paired', detail: `${dev} is not paired with the gateway` };
  const approved = [...new Set([...s.paired.scopes, ...s.paired.approvedScopes])].sort();
  const cached = operatorScopes(s);
  if (!cached) return { ok: false, reason: 'no-cached-token', detail: `${dev} is paired (${approved.join(' ')}) but holds no cached operator token` };
  const wider = [...new Set([...approved, ...cached])].filter((x) => x !== scope);
  if (wider.length > 0) return { ok: false, reason: 'too-wide', detail: `${dev} is paired wider than ${scope}: ${wider.sort().join(' ')}` };
  if (!cached.includes(scope)) return { ok: false, reason: 'too-narrow', detail: `${dev}'s cached operator token lacks ${scope}` };
  return { ok: true, detail: `${dev} paired as operator with ${scope} only (approved via ${s.paired.approvedVia ?? 'unknown'})` };
}

export function pairingDbPath(inst: ResolvedInstance): string {
  return `${inst.stateDir}/${STATE_DB}`;
}

/** The read script as the service user (argv: the database path only). */
export function readPairingArgv(inst: ResolvedInstance): string[] {
  return ['node', '--input-type=module', '-e', READ_PAIRING_SCRIPT, pairingDbPath(inst)];
}

export async function readPairing(ex: Executor, inst: ResolvedInstance, path: string): Promise<PairingState> {
  const r = await ex.run(readPairingArgv(inst), { user: inst.user, cwd: inst.home, env: { HOME: inst.home, PATH: path }, timeoutMs: 30_000, allowFailure: true });
  if (r.exitCode !== 0) {
    throw new ClawopsError(`cannot read the device pairing in ${pairingDbPath(inst)}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`, {
      hint: 'the state database needs Node with node:sqlite (Node >= 22.13) on the instance PATH',
    });
  }
  return parsePairingState(r.stdout);
}

/**
 * Pairs the service user's CLI device (OpenClaw's GatewayClient, loopback, shared token) with
 * `scope`, as the service user. The gateway must be running.
 */
export async function pairCliDevice(ex: Executor, inst: ResolvedInstance, version: string, scope = AUDIT_PROBE_SCOPE): Promise<{ role: string | null; scopes: string[] }> {
  const r = await openclawRun(ex, inst, version, [], {
    allowFailure: true,
    timeoutMs: 60_000,
    execArgv: ['node', '--input-type=module', '-e', PAIR_SCRIPT, inst.bin, String(inst.port), scope],
  });
  if (r.exitCode !== 0) {
    throw new ClawopsError(`pairing the service user's CLI device failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`, {
      hint: `the gateway must be running and reachable on 127.0.0.1:${inst.port}; journalctl -u ${inst.unit} -n 50`,
    });
  }
  const v = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { role: string | null; scopes: string[] };
  return { role: v.role, scopes: v.scopes ?? [] };
}
