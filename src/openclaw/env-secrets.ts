/**
 * Provider API keys and channel bot tokens, copied from their spec references into the file
 * OpenClaw itself reads for daemon credentials, `~/.openclaw/.env` (0600, service user; the gateway
 * unit loads it too). The config refers to each variable (providers.ts), so no credential is in
 * `openclaw.json`, on a command line, in the plan or in a raw fact: the plan compares descriptors.
 */
import { envTextVars, envTextWith } from '../core/env-file.ts';
import { noteCredentials } from '../credentials/record.ts';
import { safeMkdir, safeRead } from '../core/safe-fs.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { SecretRefData } from '../desired/schema.ts';
import { secretValue } from '../desired/secrets.ts';
import { envFile } from '../facts/openclaw.ts';
import { secretSource, secretSourceArg } from '../facts/secrets.ts';
import { fileStat } from '../facts/system.ts';
import { type FactReader, type FactRef, isUnknown, known, ref } from '../facts/types.ts';
import { CHANNEL_TOKENS, configuredChannels, providerKeyVar } from './providers.ts';

/** `~/.openclaw/.env`: OpenClaw's global fallback env file, which the gateway unit also loads. */
export const dotEnvPath = (inst: ResolvedInstance): string => `${inst.stateDir}/.env`;

export interface EnvSecret {
  /** what it is, for messages: "the API key of provider x", "the telegram bot token" */
  what: string;
  /** `provider:<id>` or `channel:<id>` */
  owner: string;
  variable: string;
  ref: SecretRefData;
  source: FactRef<SourceValue>;
}

type SourceValue = { missing: true } | { missing: false; descriptor: string };

/** Every credential the spec copies into `~/.openclaw/.env`. */
export function envSecrets(spec: ResolvedSpec): EnvSecret[] {
  const out: EnvSecret[] = [];
  const add = (what: string, owner: string, variable: string, r: SecretRefData) => out.push({ what, owner, variable, ref: r, source: ref(secretSource, secretSourceArg(r)) });
  for (const [id, p] of Object.entries(spec.providers)) if (p.apiKey) add(`the API key of provider ${id}`, `provider:${id}`, providerKeyVar(id), p.apiKey);
  for (const ch of configuredChannels(spec)) add(`the ${ch} bot token`, `channel:${ch}`, CHANNEL_TOKENS[ch].variable, spec.channels[ch]!.botToken);
  return out;
}

/** The facts a judgement of one copy needs. */
export const envSecretNeeds = (inst: ResolvedInstance, secrets: readonly EnvSecret[]): FactRef<unknown>[] =>
  secrets.length === 0 ? [] : [ref(envFile, dotEnvPath(inst)), ...secrets.map((s) => s.source)];

export type CopyState = 'current' | 'missing' | 'stale' | 'unverifiable';

/**
 * Pure: the copy of `s` among the env file's `vars` against its reference, by descriptor. A reference
 * that cannot be read here (clawops' own environment, absent under a check timer) is unverifiable.
 */
function copyStateIn(f: FactReader, vars: Record<string, string>, s: EnvSecret): CopyState {
  const held = vars[s.variable];
  if (held === undefined || held === '') return 'missing';
  const src = f.get(s.source);
  if (isUnknown(src) || src.missing) return 'unverifiable';
  return src.descriptor === held ? 'current' : 'stale';
}

/** Pure: the copy of `s` in `~/.openclaw/.env` (the gate's reading: unknown when the file cannot be read). */
export function copyState(f: FactReader, inst: ResolvedInstance, s: EnvSecret): CopyState {
  const env = known(f, ref(envFile, dotEnvPath(inst)));
  return copyStateIn(f, env.missing ? {} : env.vars, s);
}

export interface KeyFileState {
  /** variables to (re)write: missing, or not the reference's value */
  stale: string[];
  /** the file is not 0600 owned by the service user */
  modeWrong: boolean;
}

/** Pure: which credentials in `~/.openclaw/.env` differ from their references, and its mode. */
export function keyFileState(f: FactReader, spec: ResolvedSpec, inst: ResolvedInstance): KeyFileState {
  const env = f.get(ref(envFile, dotEnvPath(inst)));
  const st = f.get(ref(fileStat, dotEnvPath(inst)));
  const vars = isUnknown(env) || env.missing ? {} : env.vars;
  const stale = envSecrets(spec).filter((s) => ['missing', 'stale'].includes(copyStateIn(f, vars, s))).map((s) => s.variable);
  return { stale, modeWrong: !isUnknown(st) && !('missing' in st) && (st.mode !== 0o600 || st.owner !== inst.user) };
}

export function envSecretsResourceId(inst: ResolvedInstance): string {
  return `openclaw-env-secrets:${inst.name}`;
}

/** The credentials in `~/.openclaw/.env`, current with their references. Absent when the spec has none. */
export function envSecretsResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: string[], env: NodeJS.ProcessEnv = process.env): Resource | undefined {
  const secrets = envSecrets(spec);
  if (secrets.length === 0) return undefined;
  const id = envSecretsResourceId(inst);
  const path = dotEnvPath(inst);
  return {
    id,
    kind: 'openclaw-env-secrets',
    dependsOn,
    needs: () => [...envSecretNeeds(inst, secrets), ref(fileStat, path)],
    plan(f): PlanOutcome {
      const s = keyFileState(f, spec, inst);
      if (s.stale.length === 0 && !s.modeWrong) return { noop: `${path} holds the current credentials (values not shown)` };
      const what = s.stale.length > 0 ? `set ${s.stale.join(', ')} from ${s.stale.length === 1 ? 'its reference' : 'their references'}` : 'make it 0600, service user';
      const change: PlannedChange = { resourceId: id, kind: 'openclaw-env-secrets', action: 'change', summary: `${path}: ${what} (values not shown)`, data: { path } };
      return { changes: [change] };
    },
    async apply(ex: Executor, _change: PlannedChange, journal: Journal) {
      await journal.saveFile(ex, path);
      const changed = await writeEnvSecrets(ex, spec, inst, env);
      await noteCredentials(ex, spec.stateDir, changed, 'apply');
    },
  };
}

/**
 * Writes every credential of the spec into the instance's `~/.openclaw/.env` from its reference
 * (`values` overrides a variable: a rotation putting the old value back), other lines kept. Read
 * no-follow: a .env swapped for a link must not have its target's lines copied into the new file.
 * Returns the owners whose value changed.
 */
export async function writeEnvSecrets(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, env: NodeJS.ProcessEnv, values: Record<string, string> = {}): Promise<string[]> {
  const secrets = envSecrets(spec);
  const next: Record<string, string> = {};
  for (const s of secrets) next[s.variable] = values[s.variable] ?? await secretValue(ex, s.ref, env, s.what);
  const path = dotEnvPath(inst);
  const text = (await safeRead(ex, path))?.toString('utf8') ?? '';
  const before = envTextVars(text);
  await safeMkdir(ex, inst.stateDir, { mode: 0o700, owner: inst.user, group: inst.user });
  await ex.writeFile(path, envTextWith(text, next), { mode: 0o600, owner: inst.user, group: inst.user });
  return secrets.filter((s) => before[s.variable] !== next[s.variable]).map((s) => s.owner);
}
