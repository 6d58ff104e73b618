/**
 * The hardened gateway config as one resource per instance: read the managed keys from
 * `openclaw.json`, plan a minimal key-level diff, apply it in ONE validated write. Keys the
 * operator added by hand are never dropped (the write is a merge of the managed keys only).
 *   - versions with `openclaw config patch`: one `config patch --stdin` as the service user
 *     (OpenClaw validates the whole result, keeps its `.bak` ring, and refuses a bad write);
 *   - older versions (2026.2.x): clawops writes the file atomically itself, rotating OpenClaw's
 *     `.bak` ring the way OpenClaw does, after validating the candidate with the installed openclaw.
 */
import type { Executor } from '../exec/types.ts';
import { configObject, openclawConfig } from '../facts/openclaw.ts';
import { known, ref } from '../facts/types.ts';
import type { Journal, JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { wildcardSenderLists } from '../desired/policy.ts';
import { applyKeyChanges, getPath, isObject, jsonEqual, keyOf, mergePatch, parseConfigText, type KeyChange } from './config-doc.ts';
import { desiredConfigKeys, staleAllowFrom, type DesiredKey } from './config-keys.ts';
import { openclawRun, validateCandidateConfig, writeConfigWithBackups } from './config-write.ts';
import { configPath } from './paths.ts';
import { capabilities } from './versions.ts';
import { progress } from '../resources/file.ts';

export interface ConfigState {
  [k: string]: JsonValue;
  path: string;
  exists: boolean;
  /** dotted managed key -> current value (keys that are absent are not listed) */
  keys: { [k: string]: JsonValue };
  /** channels present in the config (the policy holds for each) */
  channels: string[];
  /** sender allowlists holding "*" where the spec's policy is not open (their values are in `keys`), and what stays */
  wildcards: { path: string[]; kept: JsonValue[] }[];
}

export interface ConfigChangeData {
  [k: string]: JsonValue;
  path: string;
  version: string;
  set: { path: string[]; value: JsonValue }[];
  unset: string[][];
}

export function configResourceId(inst: ResolvedInstance): string {
  return `openclaw-config:${inst.name}`;
}

/** Every key the resource looks at: the desired keys, plus the elevated allowFrom map (to drop strangers). */
function watchedPaths(spec: ResolvedSpec, inst: ResolvedInstance, channels: readonly string[]): string[][] {
  return [...desiredConfigKeys(spec, inst, spec.openclaw.version, { channels }).map((k) => k.path), ['tools', 'elevated', 'allowFrom']];
}

export function readConfigState(spec: ResolvedSpec, inst: ResolvedInstance, text: string | null): ConfigState {
  const path = configPath(inst);
  const doc = text === null ? {} : parseConfigText(text, path);
  const keys: { [k: string]: JsonValue } = {};
  const chans = getPath(doc, ['channels']);
  const channels = chans !== null && typeof chans === 'object' && !Array.isArray(chans) ? Object.keys(chans).sort() : [];
  for (const p of watchedPaths(spec, inst, channels)) {
    const v = getPath(doc, p);
    if (v !== undefined) keys[keyOf(p)] = v;
  }
  const wildcards = wildcardSenderLists(spec, chans).map((w) => {
    keys[keyOf(w.path)] = w.entries as JsonValue[];
    return { path: w.path, kept: w.kept as JsonValue[] };
  });
  return { path, exists: text !== null, keys, channels, wildcards };
}

/** Pure: the key changes that take `state` to the spec. */
export function planConfigChanges(spec: ResolvedSpec, inst: ResolvedInstance, state: ConfigState): (KeyChange & { why?: string })[] {
  const desired: DesiredKey[] = [
    ...desiredConfigKeys(spec, inst, spec.openclaw.version, { channels: state.channels }),
    ...staleAllowFrom(spec, state.keys['tools.elevated.allowFrom']),
    ...state.wildcards.map((w): DesiredKey => (w.kept.length > 0
      ? { path: w.path, value: w.kept, why: '"*" lets anyone in: the named senders stay' }
      : { path: w.path, why: '"*" lets anyone in' })),
  ];
  const out: (KeyChange & { why?: string })[] = [];
  for (const d of desired) {
    const cur = state.keys[keyOf(d.path)] ?? nested(state, d.path);
    if (d.value === undefined) {
      if (cur !== undefined) out.push({ path: d.path, ...(d.why ? { why: d.why } : {}) });
    } else if (!jsonEqual(cur, d.value)) {
      out.push({ path: d.path, value: d.value, ...(d.why ? { why: d.why } : {}) });
    }
  }
  return out;
}

// allowFrom.<channel> entries are read through the allowFrom map
function nested(state: ConfigState, path: string[]): JsonValue | undefined {
  const af = state.keys['tools.elevated.allowFrom'];
  if (path.length === 4 && keyOf(path.slice(0, 3)) === 'tools.elevated.allowFrom' && isObject(af)) return af[path[3] ?? ''];
  return undefined;
}

function describe(state: ConfigState, c: KeyChange): string {
  const k = keyOf(c.path);
  const cur = state.keys[k];
  if (c.value === undefined) return `- ${k}`;
  return cur === undefined ? `+ ${k} = ${JSON.stringify(c.value)}` : `~ ${k} = ${JSON.stringify(cur)} -> ${JSON.stringify(c.value)}`;
}

/** Pure: openclaw.json as read (secrets as descriptors) in, the one batched config change out. */
export function planConfig(spec: ResolvedSpec, inst: ResolvedInstance, current: ConfigState): PlanOutcome {
  const id = configResourceId(inst);
  const version = spec.openclaw.version;
  const changes = planConfigChanges(spec, inst, current);
  if (changes.length === 0) return { noop: `${current.path} already holds the hardened settings for ${version}` };
  const data: ConfigChangeData = {
    path: current.path,
    version,
    set: changes.filter((c) => c.value !== undefined).map((c) => ({ path: c.path, value: c.value as JsonValue })),
    unset: changes.filter((c) => c.value === undefined).map((c) => c.path),
  };
  const change: PlannedChange = {
    resourceId: id,
    kind: 'openclaw-config',
    action: current.exists ? 'change' : 'add',
    summary: `${changes.length} key${changes.length === 1 ? '' : 's'} in ${current.path} (one ${capabilities(version).configPatch ? '`openclaw config patch`' : 'validated atomic write'})`,
    diff: changes.map((c) => describe(current, c)).join('\n'),
    data,
  };
  return { changes: [change] };
}

/** `onWholeWrite`: told when clawops wrote the file itself (no `config patch`), before the write. */
export function openclawConfigResource(spec: ResolvedSpec, inst: ResolvedInstance, onWholeWrite?: (ex: Executor) => Promise<void>): Resource {
  const id = configResourceId(inst);
  return {
    id,
    kind: 'openclaw-config',
    dependsOn: [`openclaw-install:${inst.name}`],
    // the gate's own reading of openclaw.json (secret values as descriptors: this resource owns no secret key)
    needs: () => [ref(openclawConfig, configPath(inst))],
    plan(f): PlanOutcome {
      const doc = known(f, ref(openclawConfig, configPath(inst)));
      const config = configObject(doc, configPath(inst)); // unparsable: unknown, planned after the repair step
      return planConfig(spec, inst, readConfigState(spec, inst, config === null ? null : JSON.stringify(config)));
    },
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const data = change.data as ConfigChangeData;
      const changes: KeyChange[] = [...data.set.map((s) => ({ path: s.path, value: s.value })), ...data.unset.map((p) => ({ path: p }))];
      await journal.saveFile(ex, data.path);
      if (capabilities(data.version).configPatch) {
        const patched = await openclawRun(ex, inst, data.version, ['config', 'patch', '--stdin'], { stdin: `${JSON.stringify(mergePatch(changes), null, 2)}\n`, allowFailure: true });
        if (patched.exitCode === 0) return;
        // `config patch` refuses to touch a file OpenClaw already rejects (a hand edit with a value it
        // does not accept): the same key changes as one validated whole-file write repair it
        progress(journal, `openclaw config patch refused ${data.path} (exit ${patched.exitCode}); writing it whole, validated`);
      }
      const buf = await ex.readFile(data.path);
      const doc = buf === null ? {} : parseConfigText(buf.toString('utf8'), data.path);
      const next = `${JSON.stringify(applyKeyChanges(doc, changes), null, 2)}\n`;
      await validateCandidateConfig(ex, inst, data.version, next);
      await onWholeWrite?.(ex);
      await writeConfigWithBackups(ex, inst, data.path, next);
    },
  };
}
