/**
 * `clawops rotate key <credential>`: a provider API key or a channel bot token replaced through its
 * spec reference, applied to every instance, proven, and the old value gone:
 *   1. stage    a file reference gets the new value beside it (`<file>.clawops-new`, root 0600) and
 *               the old one is kept as `<file>.clawops-old`, then the new file is renamed over the
 *               reference (one atomic step); an env reference is the new value already (the operator
 *               exported it), its old value is read from the instance's `~/.openclaw/.env`;
 *   2. apply    each instance's `~/.openclaw/.env` gets the value, the gateways that ran restart;
 *   3. verify   healthy, then: a bot token answers the Bot API's getMe; a provider key serves an
 *               agent turn through the gateway (when one of its models is the primary);
 *   4. finish   the kept old value is removed, files under the instance still holding it are named,
 *               and the rotation time is recorded (`credentials.age` reads it).
 * A failed verification puts the old value back everywhere and restarts again. A rotation killed at
 * any step converges when run again: a staged new value or a kept old one says where it stopped.
 */
import { randomBytes } from 'node:crypto';
import { httpOnTarget } from '../alerts/deliver.ts';
import { ClawopsError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { dotEnvPath, writeEnvSecrets } from '../openclaw/env-secrets.ts';
import { waitHealthy } from '../openclaw/probe.ts';
import { restartGateway } from '../openclaw/rotate.ts';
import { agentTurn } from '../openclaw/smoke.ts';
import { credentialsOf, type Credential } from './inventory.ts';
import { noteCredentials } from './record.ts';
import { envTextVars } from '../core/env-file.ts';
import { safeRead } from '../core/safe-fs.ts';

export const stagedNew = (file: string): string => `${file}.clawops-new`;
export const keptOld = (file: string): string => `${file}.clawops-old`;

export interface RotateKeyOptions {
  /** the new value (from --from-file, --from-command or stdin); none: resume a staged rotation, or an env reference's current value */
  newValue?: string;
  env: NodeJS.ProcessEnv;
  healthTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RotateKeyResult {
  credential: string;
  /** a staged rotation was picked up where it stopped */
  resumed: boolean;
  instances: { name: string; unit: string; restarted: boolean; healthyMs: number | null }[];
  /** how the new value was proven */
  verified: string;
  /** files under the instances' state dirs that still hold the old value (OpenClaw's own copies) */
  oldValueLeft: string[];
}

/** The referenced credentials `rotate key` takes, by id. */
export function rotatableKey(spec: ResolvedSpec, id: string): Credential {
  if (id.startsWith('gateway-token')) throw new ClawopsError(`${id} is the gateway token: clawops rotate gateway-token rotates it (both sides, old one refused)`);
  const keys = credentialsOf(spec).filter((c) => c.ref !== undefined);
  const c = keys.find((k) => k.id === id);
  if (!c || !c.ref || !c.variable) {
    throw new ClawopsError(`no provider key or bot token "${id}" in the spec`, {
      hint: keys.length ? `rotatable: ${keys.map((k) => k.id).join(', ')} (the gateway token: clawops rotate gateway-token)` : 'the spec references no provider key or bot token (providers.<id>.apiKey, channels.<channel>.botToken)',
    });
  }
  return c;
}

const exists = async (ex: Executor, path: string): Promise<boolean> => (await ex.stat(path)) !== null;
const readTrim = async (ex: Executor, path: string): Promise<string | undefined> => (await ex.readFile(path))?.toString('utf8').trim() || undefined;
const ROOT_SECRET = { mode: 0o600, owner: 'root', group: 'root' } as const;

/** Step 1 for a file reference: returns the old value (undefined: none before) once the new one is in place. */
async function stageFile(ex: Executor, file: string, newValue: string | undefined, log: (l: string) => void): Promise<{ old: string | undefined; resumed: boolean }> {
  const [hasNew, hasOld] = [await exists(ex, stagedNew(file)), await exists(ex, keptOld(file))];
  if (newValue !== undefined) {
    await ex.writeFile(stagedNew(file), `${newValue}\n`, ROOT_SECRET);
  } else if (!hasNew && !hasOld) {
    throw new ClawopsError(`no new value for ${file}`, { hint: 'give it with --from-file FILE, --from-command CMD or --from-stdin' });
  }
  const resumed = newValue === undefined;
  if (await exists(ex, stagedNew(file))) {
    // the old value is kept first (a second staging must not keep the new value as "old")
    if (!hasOld) {
      const old = await readTrim(ex, file);
      if (old !== undefined) await ex.writeFile(keptOld(file), `${old}\n`, ROOT_SECRET);
    }
    await ex.run(['mv', '-f', '--', stagedNew(file), file]);
    log(`${file}: new value in place${resumed ? ' (a staged rotation, resumed)' : ''}; the old one kept as ${keptOld(file)} until verified`);
  } else {
    log(`${file}: holds the new value already (a rotation stopped after staging; resumed)`);
  }
  const old = await readTrim(ex, keptOld(file));
  if (old !== undefined) registerSecret(old);
  return { old, resumed };
}

/** Files under the instance's OpenClaw state that still hold `value` (read as the service user: its own files, no root reads of its links). */
async function filesHolding(ex: Executor, inst: ResolvedInstance, value: string): Promise<string[]> {
  const r = await ex.run(['grep', '-rlF', '--binary-files=text', '-f', '-', '--', inst.stateDir], { user: inst.user, stdin: `${value}\n`, allowFailure: true, timeoutMs: 120_000 });
  // grep: 0 found, 1 none; anything else (the account expired by a containment, a read error) is said, never taken for "none"
  if (r.exitCode !== 0 && r.exitCode !== 1) return [`${inst.stateDir} (not searched: ${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`})`];
  return r.stdout.split('\n').filter((l) => l && l !== dotEnvPath(inst));
}

/** Pure: the provider of the primary model, which an agent turn exercises. */
const primaryProvider = (spec: ResolvedSpec): string | undefined => spec.model.primary?.split('/')[0];

async function verify(ex: Executor, spec: ResolvedSpec, c: Credential, value: string, ran: ResolvedInstance[]): Promise<string> {
  if (c.kind === 'bot-token') {
    const channel = c.id.slice('channel:'.length);
    const root = (channel === 'telegram' ? spec.channels.telegram?.apiRoot : undefined) ?? 'https://api.telegram.org';
    try {
      await httpOnTarget(ex, `${root.replace(/\/$/, '')}/bot${value}/getMe`, undefined, 20_000);
    } catch (err) {
      throw new Error(`the Bot API refused the new token (getMe): ${(err as Error).message}`);
    }
    return 'the Bot API accepts the new token (getMe)';
  }
  const provider = c.id.slice('provider:'.length);
  if (primaryProvider(spec) !== provider) return `not proven by a turn: the primary model (${spec.model.primary ?? 'unset'}) is not one of ${provider}'s`;
  if (ran.length === 0) return 'not proven by a turn: no gateway was running';
  for (const inst of ran) {
    const a = await agentTurn(ex, inst, spec.openclaw.version, `clawops-rotate-${randomBytes(6).toString('hex')}`, 'Reply with one word: ok', spec.smoke.timeoutSec);
    if (!a.ok || !a.text.trim()) throw new Error(`${inst.name}: an agent turn with the new key failed: ${a.error ?? 'no text'}`);
  }
  return `an agent turn through ${ran.map((i) => i.name).join(', ')} answered with the new key`;
}

export async function rotateKey(ex: Executor, spec: ResolvedSpec, id: string, opts: RotateKeyOptions): Promise<RotateKeyResult> {
  const log = opts.log ?? (() => {});
  const c = rotatableKey(spec, id);
  const r = c.ref!;
  const variable = c.variable!;
  if (opts.newValue !== undefined) {
    if (!opts.newValue.trim() || /[\r\n]/.test(opts.newValue.trim())) throw new ClawopsError('the new value is empty or spans lines', { hint: 'one line: the key or token only' });
    registerSecret(opts.newValue.trim());
  }
  // the old value: a file reference's kept copy, an env reference's copy in the first instance's .env
  let old: string | undefined;
  let resumed = false;
  let current: string;
  if ('file' in r) {
    ({ old, resumed } = await stageFile(ex, r.file, opts.newValue?.trim(), log));
    current = (await readTrim(ex, r.file)) ?? '';
  } else {
    if (opts.newValue !== undefined) throw new ClawopsError(`${c.id} is read from the variable ${r.env}, not a file`, { hint: `export ${r.env}=<new value> and run \`clawops rotate key ${c.id}\` without --from-*` });
    current = opts.env[r.env]?.trim() ?? '';
    if (!current) throw new ClawopsError(`the variable ${r.env} is not set`, { hint: `export ${r.env}=<new value>, then run this again` });
    const first = spec.resolved[0]!;
    old = envTextVars((await safeRead(ex, dotEnvPath(first)))?.toString('utf8') ?? '')[variable];
    if (old === current) old = undefined;
    if (old !== undefined) registerSecret(old);
  }
  registerSecret(current);

  const active = new Map<string, boolean>();
  for (const inst of spec.resolved) active.set(inst.name, (await ex.run(['systemctl', 'is-active', '--quiet', '--', inst.unit], { allowFailure: true })).exitCode === 0);
  const ran = spec.resolved.filter((i) => active.get(i.name));
  const result: RotateKeyResult = { credential: c.id, resumed, instances: [], verified: '', oldValueLeft: [] };
  const applyAll = async (override: Record<string, string>) => {
    result.instances = [];
    for (const inst of spec.resolved) {
      await writeEnvSecrets(ex, spec, inst, opts.env, override);
      if (active.get(inst.name)) await restartGateway(ex, inst);
      const h = active.get(inst.name) ? await waitHealthy(ex, inst, spec.openclaw.version, opts.healthTimeoutMs ?? 240_000) : undefined;
      result.instances.push({ name: inst.name, unit: inst.unit, restarted: h !== undefined, healthyMs: h?.ok ? h.ms : null });
      if (h && !h.ok) throw new Error(`${inst.unit} is not healthy after the restart: ${h.detail}`);
    }
  };
  try {
    log(`${c.id}: writing ${variable} into ${spec.resolved.map(dotEnvPath).join(', ')} and restarting ${ran.map((i) => i.unit).join(', ') || 'nothing (no gateway runs)'}`);
    await applyAll({ [variable]: current });
    result.verified = await verify(ex, spec, c, current, ran);
    log(`${c.id}: ${result.verified}`);
  } catch (err) {
    const why = (err as Error).message;
    if (old === undefined) throw new ClawopsError(`${c.id}: the new value did not work: ${why}`, { hint: 'there was no old value to put back; fix the value and run the rotation again' });
    log(`${c.id}: the new value did not work (${why}); putting the old one back`);
    if ('file' in r) await ex.run(['mv', '-f', '--', keptOld(r.file), r.file]);
    await applyAll({ [variable]: old });
    throw new ClawopsError(`${c.id}: the new value did not work, the old one is back in place: ${why}`, {
      hint: 'file' in r ? 'check the new value (and that it is active at the provider), then rotate again' : `${r.env} still holds the new value: set it back to the old one before the next apply, or fix it and rotate again`,
    });
  }
  if ('file' in r) await ex.run(['rm', '-f', '--', keptOld(r.file)]);
  if (old !== undefined) for (const inst of spec.resolved) result.oldValueLeft.push(...await filesHolding(ex, inst, old));
  await noteCredentials(ex, spec.stateDir, [c.id], 'rotate');
  return result;
}
