/**
 * Model providers (hardened guide phase 3): the spec's custom providers and the default model as
 * config keys, and each provider's API key copied from its secret reference into the file OpenClaw
 * itself reads for daemon keys, `~/.openclaw/.env` (0600, service user; the unit loads it too).
 * The config refers to the variable (9.x: a SecretRef object; 2.x: `${VAR}`, substituted at load),
 * so no key is ever in `openclaw.json`, on a command line or in the plan.
 */
import { safeMkdir, safeRead } from '../core/safe-fs.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal, JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { secretValue } from '../desired/secrets.ts';
import { envFile } from '../facts/openclaw.ts';
import { secretSource, secretSourceArg } from '../facts/secrets.ts';
import { fileStat } from '../facts/system.ts';
import { type FactReader, type FactRef, isUnknown, ref } from '../facts/types.ts';
import type { DesiredKey } from './config-keys.ts';
import { envRefValue } from './token.ts';

/** The variable that carries provider `id`'s key (OpenClaw's own convention: `<PROVIDER>_API_KEY`). */
export const providerKeyVar = (id: string): string => `${id.toUpperCase().replace(/-/g, '_')}_API_KEY`;

/** `~/.openclaw/.env`: OpenClaw's global fallback env file, which the gateway unit also loads. */
export const dotEnvPath = (inst: ResolvedInstance): string => `${inst.stateDir}/.env`;

/** The model entry as OpenClaw stores it (every field explicit, so its normalisation adds nothing). */
function modelEntry(m: ResolvedSpec['providers'][string]['models'][number]): JsonValue {
  return {
    id: m.id,
    name: m.name ?? m.id,
    reasoning: false,
    input: ['text'],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: m.contextWindow,
    maxTokens: m.maxTokens,
  };
}

/** The provider and default-model keys of `openclaw.json`. */
export function providerConfigKeys(spec: ResolvedSpec, version: string): DesiredKey[] {
  const out: DesiredKey[] = [];
  const key = (path: string, value: JsonValue, why?: string): DesiredKey => ({ path: path.split('.'), value, ...(why ? { why } : {}) });
  const ids = Object.keys(spec.providers).sort();
  if (ids.length > 0) out.push(key('models.mode', 'merge', "the spec's providers beside OpenClaw's built-in ones"));
  for (const id of ids) {
    const p = spec.providers[id]!;
    const at = `models.providers.${id}`;
    out.push(key(`${at}.baseUrl`, p.baseUrl), key(`${at}.api`, p.api));
    if (p.apiKey) out.push(key(`${at}.apiKey`, envRefValue(providerKeyVar(id), version), `a reference to ${providerKeyVar(id)} in ~/.openclaw/.env, never the key`));
    out.push(key(`${at}.models`, p.models.map(modelEntry)));
  }
  if (spec.model.primary) out.push(key('agents.defaults.model.primary', spec.model.primary));
  if (spec.model.fallbacks.length > 0) out.push(key('agents.defaults.model.fallbacks', spec.model.fallbacks));
  return out;
}

/** Providers whose key clawops copies: [id, variable, reference]. */
export function providerKeys(spec: ResolvedSpec): { id: string; variable: string; source: FactRef<unknown> }[] {
  return Object.entries(spec.providers)
    .filter(([, p]) => p.apiKey)
    .map(([id, p]) => ({ id, variable: providerKeyVar(id), source: ref(secretSource, secretSourceArg(p.apiKey!)) }));
}

export interface KeyFileState {
  /** variables to (re)write: missing, or not the reference's value */
  stale: string[];
  /** the file is not 0600 owned by the service user */
  modeWrong: boolean;
  /** references whose value cannot be read here (the apply will say why) */
  unreadable: string[];
}

/** Pure: which provider keys in `~/.openclaw/.env` differ from their references (by descriptor). */
export function keyFileState(f: FactReader, spec: ResolvedSpec, inst: ResolvedInstance): KeyFileState {
  const env = f.get(ref(envFile, dotEnvPath(inst)));
  const st = f.get(ref(fileStat, dotEnvPath(inst)));
  const vars = isUnknown(env) || env.missing ? {} : env.vars;
  const out: KeyFileState = { stale: [], modeWrong: false, unreadable: [] };
  for (const k of providerKeys(spec)) {
    const src = f.get(k.source) as { missing: true } | { missing: false; descriptor: string } | { unknown: string };
    if (isUnknown(src) || src.missing) out.unreadable.push(k.source.arg);
    if (isUnknown(src) || src.missing ? vars[k.variable] === undefined : vars[k.variable] !== src.descriptor) out.stale.push(k.variable);
  }
  if (!isUnknown(st) && !('missing' in st)) out.modeWrong = st.mode !== 0o600 || st.owner !== inst.user;
  return out;
}

/** KEY=VALUE text with `values` set and every other line kept. */
export function envTextWith(existing: string, values: Record<string, string>): string {
  const names = new Set(Object.keys(values));
  const kept = existing.split('\n').filter((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(l);
    return l.trim() !== '' && !(m && names.has(m[1] ?? ''));
  });
  return `${[...kept, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join('\n')}\n`;
}

export function providerKeysResourceId(inst: ResolvedInstance): string {
  return `openclaw-provider-keys:${inst.name}`;
}

/** The provider keys in `~/.openclaw/.env`, current with their references. Absent without providers. */
export function providerKeysResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: string[], env: NodeJS.ProcessEnv = process.env): Resource | undefined {
  const keys = providerKeys(spec);
  if (keys.length === 0) return undefined;
  const id = providerKeysResourceId(inst);
  const path = dotEnvPath(inst);
  return {
    id,
    kind: 'openclaw-provider-keys',
    dependsOn,
    needs: () => [ref(envFile, path), ref(fileStat, path), ...keys.map((k) => k.source)],
    plan(f): PlanOutcome {
      const s = keyFileState(f, spec, inst);
      if (s.stale.length === 0 && !s.modeWrong) return { noop: `${path} holds the current provider keys (values not shown)` };
      const what = s.stale.length > 0 ? `set ${s.stale.join(', ')} from ${s.stale.length === 1 ? 'its reference' : 'their references'}` : 'make it 0600, service user';
      const change: PlannedChange = { resourceId: id, kind: 'openclaw-provider-keys', action: 'change', summary: `${path}: ${what} (values not shown)`, data: { path } };
      return { changes: [change] };
    },
    async apply(ex: Executor, _change: PlannedChange, journal: Journal) {
      const values: Record<string, string> = {};
      for (const [pid, p] of Object.entries(spec.providers)) {
        if (p.apiKey) values[providerKeyVar(pid)] = await secretValue(ex, p.apiKey, env, `the API key of provider ${pid}`);
      }
      // no-follow: a .env swapped for a link must not have its target's lines copied into the new file
      const buf = await safeRead(ex, path);
      await journal.saveFile(ex, path);
      await safeMkdir(ex, inst.stateDir, { mode: 0o700, owner: inst.user, group: inst.user });
      await ex.writeFile(path, envTextWith(buf === null ? '' : buf.toString('utf8'), values), { mode: 0o600, owner: inst.user, group: inst.user });
    },
  };
}
