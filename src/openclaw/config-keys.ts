/**
 * The hardened OpenClaw config as key-level desired state, per version: each entry is one leaf
 * key with its value, or a key that must not exist. Secrets (the gateway token) are not here:
 * the token lifecycle (token.ts) owns `gateway.auth.token` and `gateway.remote.token`.
 */
import type { JsonValue } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { logFilePath } from './paths.ts';
import { channelAccountKeys, configuredChannels, pluginKeys, providerConfigKeys } from './providers.ts';
import { capabilities } from './versions.ts';

export interface DesiredKey {
  path: string[];
  /** undefined: the key must be absent */
  value?: JsonValue;
  /** why (shown in the plan) */
  why?: string;
}

const key = (path: string, value: JsonValue, why?: string): DesiredKey => ({ path: path.split('.'), value, ...(why ? { why } : {}) });
const absent = (path: string, why: string): DesiredKey => ({ path: path.split('.'), why });

/**
 * `present.channels`: channels found in the config besides the spec's: the channel policy holds for
 * every channel the gateway runs, as the gate judges it, not only for those the spec names.
 */
export function desiredConfigKeys(spec: ResolvedSpec, inst: ResolvedInstance, version: string, present: { channels?: readonly string[] } = {}): DesiredKey[] {
  const caps = capabilities(version);
  const out: DesiredKey[] = [
    key('gateway.mode', 'local', 'the gateway refuses to run otherwise'),
    key('gateway.bind', spec.gateway.bind),
    key('gateway.port', inst.port),
    key('gateway.auth.mode', spec.gateway.auth.mode),
    key('gateway.controlUi.enabled', spec.gateway.controlUi.enabled),
    key('discovery.mdns.mode', spec.gateway.mdns),
  ];
  if (caps.allowInsecureAuthKey) {
    out.push(key('gateway.controlUi.allowInsecureAuth', false, 'token-only auth over HTTP bypasses device identity'));
  } else {
    out.push(absent('gateway.controlUi.allowInsecureAuth', `removed in 2026.8.1: ${version} rejects the key`));
  }
  if (caps.redactSensitiveKey) out.push(key('logging.redactSensitive', 'tools'));
  else out.push(absent('logging.redactSensitive', `removed in 2026.8.1: ${version} rejects the key`));
  if (caps.loggingFileKey) out.push(key('logging.file', logFilePath(inst), 'persistent file log (the default /tmp/openclaw is private to the unit and lost at each restart)'));
  if (spec.gateway.redactPatterns.length > 0) out.push(key('logging.redactPatterns', spec.gateway.redactPatterns));
  if (caps.terminalKey) out.push(key('gateway.terminal.enabled', spec.gateway.terminal.enabled, 'host PTY operator terminal'));

  out.push(key('tools.deny', spec.tools.deny));
  if (caps.toolsProfileKey) out.push(key('tools.profile', spec.tools.profile));
  out.push(key('tools.elevated.enabled', spec.tools.elevated.enabled));
  if (spec.tools.elevated.enabled) {
    for (const [ch, ids] of Object.entries(spec.tools.elevated.allowFrom)) out.push(key(`tools.elevated.allowFrom.${ch}`, ids));
  }

  const sb = 'agents.defaults.sandbox';
  out.push(
    key(`${sb}.mode`, spec.sandbox.mode),
    key(`${sb}.scope`, spec.sandbox.scope),
    key(`${sb}.workspaceAccess`, spec.sandbox.workspaceAccess),
    key(`${sb}.docker.network`, spec.sandbox.network),
    key(`${sb}.docker.readOnlyRoot`, spec.sandbox.readOnlyRoot),
    key(`${sb}.docker.image`, spec.sandbox.image),
  );

  out.push(...providerConfigKeys(spec, version), ...channelAccountKeys(spec, version), ...pluginKeys(spec));

  for (const ch of [...new Set([...spec.channels.enabled, ...configuredChannels(spec), ...(present.channels ?? [])])]) {
    const dm = caps.legacyDmPolicyChannels.includes(ch) ? `channels.${ch}.dm.policy` : `channels.${ch}.dmPolicy`;
    out.push(
      key(dm, spec.channels.dmPolicy),
      key(`channels.${ch}.groupPolicy`, spec.channels.groupPolicy),
      key(`channels.${ch}.configWrites`, spec.channels.configWrites),
    );
  }
  return out;
}

/** Keys under `tools.elevated.allowFrom` that the spec does not list must go (only the spec's senders may elevate). */
export function staleAllowFrom(spec: ResolvedSpec, current: JsonValue | undefined): DesiredKey[] {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return [];
  const allowed = spec.tools.elevated.enabled ? Object.keys(spec.tools.elevated.allowFrom) : [];
  return Object.keys(current)
    .filter((ch) => !allowed.includes(ch))
    .map((ch) => absent(`tools.elevated.allowFrom.${ch}`, 'not in the spec: nobody else may run elevated tools'));
}
