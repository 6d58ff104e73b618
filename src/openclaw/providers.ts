/**
 * Model providers (hardened guide phase 3), channel accounts (phase 4) and plugins as config keys:
 * the spec's custom providers, the default model, each channel's bot token, plugins on or off. Every credential is a
 * reference to a variable in `~/.openclaw/.env` (env-secrets.ts copies the values there), 9.x: a
 * SecretRef object, 2.x: `${VAR}`, substituted at load. No key or token is ever in `openclaw.json`.
 */
import type { JsonValue } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { DesiredKey } from './config-keys.ts';
import { envRefValue } from './token.ts';

/** The variable that carries provider `id`'s key (OpenClaw's own convention: `<PROVIDER>_API_KEY`). */
export const providerKeyVar = (id: string): string => `${id.toUpperCase().replace(/-/g, '_')}_API_KEY`;

/** The channel accounts the spec configures, with the config key of the token and its variable. */
export const CHANNEL_TOKENS = { telegram: { key: 'botToken', variable: 'TELEGRAM_BOT_TOKEN' } } as const;
export type ConfiguredChannel = keyof typeof CHANNEL_TOKENS;

export function configuredChannels(spec: ResolvedSpec): ConfiguredChannel[] {
  return (Object.keys(CHANNEL_TOKENS) as ConfiguredChannel[]).filter((c) => spec.channels[c] !== undefined);
}

/** The model entry as OpenClaw stores it (every field explicit, so its normalisation adds nothing). */
function modelEntry(m: ResolvedSpec['providers'][string]['models'][number]): JsonValue {
  return {
    id: m.id,
    name: m.name ?? m.id,
    reasoning: false,
    input: ['text'],
    cost: { ...m.cost },
    contextWindow: m.contextWindow,
    maxTokens: m.maxTokens,
  };
}

const key = (path: string, value: JsonValue, why?: string): DesiredKey => ({ path: path.split('.'), value, ...(why ? { why } : {}) });

/** The provider and default-model keys of `openclaw.json`. */
export function providerConfigKeys(spec: ResolvedSpec, version: string): DesiredKey[] {
  const out: DesiredKey[] = [];
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

/** Each configured channel account: enabled, its token by reference, its API root when the spec sets one. */
export function channelAccountKeys(spec: ResolvedSpec, version: string): DesiredKey[] {
  return configuredChannels(spec).flatMap((ch) => {
    const c = spec.channels[ch]!;
    const t = CHANNEL_TOKENS[ch];
    return [
      // the channel's plugin, as the guide's phase 4 enables it: 2026.2.9 registers a configured channel's
      // plugin as `enabled: false` ("Telegram configured, not enabled yet"); 9.x auto-activates it
      key(`plugins.entries.${ch}.enabled`, true, 'the channel plugin'),
      key(`channels.${ch}.enabled`, true),
      key(`channels.${ch}.${t.key}`, envRefValue(t.variable, version), `a reference to ${t.variable} in ~/.openclaw/.env, never the token`),
      ...(c.apiRoot ? [key(`channels.${ch}.apiRoot`, c.apiRoot)] : []),
    ];
  });
}

/** The plugins the spec turns on or off (their other config is kept). */
export function pluginKeys(spec: ResolvedSpec): DesiredKey[] {
  return [
    ...spec.plugins.enable.map((id) => key(`plugins.entries.${id}.enabled`, true)),
    ...spec.plugins.disable.map((id) => key(`plugins.entries.${id}.enabled`, false, 'not used by this deployment')),
  ];
}
