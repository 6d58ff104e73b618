/**
 * Model providers, the default model (hardened guide phase 3) and channel accounts (phase 4):
 * configured as the spec says, each credential a reference to `~/.openclaw/.env` (never a literal
 * in openclaw.json), and the copy there the reference's current value (compared by descriptor; a
 * value only clawops' own environment holds is not compared where that environment is absent,
 * e.g. under a check timer).
 */
import { isObject } from '../openclaw/config-doc.ts';
import type { FactReader } from '../facts/types.ts';
import { parseSecretDescriptor } from '../facts/secrets.ts';
import { copyState, dotEnvPath, envSecretNeeds, envSecrets, type EnvSecret } from '../openclaw/env-secrets.ts';
import { CHANNEL_TOKENS, configuredChannels } from '../openclaw/providers.ts';
import { config, CONFIG_FIX, configRef, envRefVariable } from './config-helpers.ts';
import { installRef } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped } from './types.ts';

const COPY_FIX = 'the credentials step copies each value from its reference into ~/.openclaw/.env (0600)';

/** The problem with one credential setting (a literal, not the reference, a missing or stale copy), if any. */
function credentialProblem(f: FactReader, ctx: CheckContext, at: string, value: unknown, s: EnvSecret): string | undefined {
  if (parseSecretDescriptor(value)) return `${at} is a literal secret in openclaw.json`;
  if (envRefVariable(value) !== s.variable) return `${at} is ${value === undefined ? 'not set' : 'not a reference'} (want ${s.variable} from ~/.openclaw/.env)`;
  const state = copyState(f, ctx.inst, s);
  if (state === 'missing') return `${dotEnvPath(ctx.inst)} does not define ${s.variable}`;
  if (state === 'stale') return `${s.variable} in ${dotEnvPath(ctx.inst)} is not the current value of its reference (rotated?)`;
  return undefined;
}

const secretsOf = (ctx: CheckContext, owner: RegExp) => envSecrets(ctx.spec).filter((s) => owner.test(s.owner));

export const providerChecks: CheckDef[] = [
  {
    id: 'openclaw.config.providers',
    title: 'Model providers and the default model as the spec says; API keys by reference, the copy current',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 3.1-3.3 (provider auth, credentials, primary model); production runbook 5 (secrets policy)',
    remediation: `${CONFIG_FIX}; ${COPY_FIX}`,
    needs: (ctx) => [configRef(ctx), installRef(ctx), ...envSecretNeeds(ctx.inst, secretsOf(ctx, /^provider:/))],
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const spec = ctx.spec;
      const problems: string[] = [];
      const present = c.get('models.providers');
      // a literal key in the config is a plaintext secret whoever put it there
      for (const [id, p] of Object.entries(isObject(present) ? present : {})) {
        if (isObject(p) && parseSecretDescriptor(p.apiKey) && !spec.providers[id]) problems.push(`models.providers.${id}.apiKey is a literal secret in openclaw.json`);
      }
      for (const [id, want] of Object.entries(spec.providers)) {
        const at = `models.providers.${id}`;
        const got = c.get(at);
        if (!isObject(got)) {
          problems.push(`${at} is not configured`);
          continue;
        }
        if (got.baseUrl !== want.baseUrl) problems.push(`${at}.baseUrl = ${JSON.stringify(got.baseUrl)} (want ${want.baseUrl})`);
        if (got.api !== want.api) problems.push(`${at}.api = ${JSON.stringify(got.api)} (want ${want.api})`);
        const models = Array.isArray(got.models) ? got.models.map((m) => (isObject(m) ? m.id : undefined)) : [];
        const missing = want.models.filter((m) => !models.includes(m.id)).map((m) => m.id);
        if (missing.length) problems.push(`${at} lacks model${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
        const s = secretsOf(ctx, new RegExp(`^provider:${id}$`))[0];
        const p = s && credentialProblem(f, ctx, `${at}.apiKey`, got.apiKey, s);
        if (p) problems.push(p);
      }
      const primary = c.get('agents.defaults.model.primary');
      const fallbacks = c.get('agents.defaults.model.fallbacks') ?? [];
      if (spec.model.primary && primary !== spec.model.primary) problems.push(`agents.defaults.model.primary = ${JSON.stringify(primary)} (want ${spec.model.primary})`);
      if (spec.model.fallbacks.length > 0 && JSON.stringify(fallbacks) !== JSON.stringify(spec.model.fallbacks)) {
        problems.push(`agents.defaults.model.fallbacks = ${JSON.stringify(fallbacks)} (want ${JSON.stringify(spec.model.fallbacks)})`);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      const ids = Object.keys(spec.providers);
      if (ids.length === 0 && !spec.model.primary) return skipped("the spec names no provider or model (OpenClaw's own onboarding owns them)");
      return pass(`${ids.length ? `providers ${ids.join(', ')}` : 'no custom provider'}; primary ${JSON.stringify(primary ?? null)}`);
    },
  },
  {
    id: 'openclaw.config.channel-accounts',
    title: "The spec's channel accounts are enabled; bot tokens by reference, the copy current",
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 4.1-4.3 (channel plugin, bot token, policies); production runbook 5 (secrets policy)',
    remediation: `${CONFIG_FIX}; ${COPY_FIX}`,
    needs: (ctx) => [configRef(ctx), installRef(ctx), ...envSecretNeeds(ctx.inst, secretsOf(ctx, /^channel:/))],
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const problems: string[] = [];
      // a literal token in any channel is a plaintext secret, configured by the spec or by hand
      for (const [ch, t] of Object.entries(CHANNEL_TOKENS)) {
        if (!ctx.spec.channels[ch as keyof typeof CHANNEL_TOKENS] && parseSecretDescriptor(c.get(`channels.${ch}.${t.key}`))) problems.push(`channels.${ch}.${t.key} is a literal secret in openclaw.json`);
      }
      const chans = configuredChannels(ctx.spec);
      for (const ch of chans) {
        const t = CHANNEL_TOKENS[ch];
        if (c.get(`channels.${ch}.enabled`) !== true) problems.push(`channels.${ch}.enabled is not true`);
        if (c.get(`plugins.entries.${ch}.enabled`) !== true) problems.push(`plugins.entries.${ch}.enabled is not true (the channel plugin)`);
        const want = ctx.spec.channels[ch]!.apiRoot;
        if (want && c.get(`channels.${ch}.apiRoot`) !== want) problems.push(`channels.${ch}.apiRoot = ${JSON.stringify(c.get(`channels.${ch}.apiRoot`))} (want ${want})`);
        const s = secretsOf(ctx, new RegExp(`^channel:${ch}$`))[0]!;
        const p = credentialProblem(f, ctx, `channels.${ch}.${t.key}`, c.get(`channels.${ch}.${t.key}`), s);
        if (p) problems.push(p);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      if (chans.length === 0) return skipped('the spec configures no channel account');
      return pass(`${chans.join(', ')}: enabled, token by reference`);
    },
  },
  {
    id: 'openclaw.config.plugins',
    title: 'Plugins the spec enables are enabled, those it disables are disabled, and no other is enabled',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 3.1 and 4.1 (enable the plugins you use); OpenClaw: plugins.entries.<id>.enabled',
    remediation: CONFIG_FIX,
    needs: (ctx) => [configRef(ctx), installRef(ctx)],
    evaluate(f, ctx) {
      const { enable, disable } = ctx.spec.plugins;
      const c = config(f, ctx);
      // a plugin turned on in openclaw.json that the spec does not name (by hand, `oc plugins enable`, a
      // skill's instructions): the agent gained code the spec does not account for
      const named = new Set([...enable, ...disable, ...configuredChannels(ctx.spec)]);
      const entries = c.get('plugins.entries');
      const unnamed = isObject(entries) ? Object.keys(entries).filter((id) => !named.has(id) && isObject(entries[id]) && entries[id].enabled === true).sort() : [];
      if (unnamed.length > 0) {
        return fail(
          `enabled in openclaw.json but not in the spec: ${unnamed.join(', ')}`,
          `manual: name ${unnamed.length > 1 ? 'them' : 'it'} in the spec, then clawops apply: plugins.disable: [${unnamed.join(', ')}] turns ${unnamed.length > 1 ? 'them' : 'it'} off, plugins.enable: [${unnamed.join(', ')}] keeps ${unnamed.length > 1 ? 'them' : 'it'}`,
        );
      }
      if (enable.length + disable.length === 0) return skipped('the spec turns no plugin on or off (OpenClaw\'s defaults hold), and openclaw.json enables none it does not name');
      const wrong = [
        ...enable.filter((id) => c.get(`plugins.entries.${id}.enabled`) !== true).map((id) => `${id} is not enabled`),
        ...disable.filter((id) => c.get(`plugins.entries.${id}.enabled`) !== false).map((id) => `${id} is not disabled`),
      ];
      if (wrong.length > 0) return fail(wrong.join('; '), CONFIG_FIX);
      return pass([enable.length ? `enabled: ${enable.join(', ')}` : '', disable.length ? `disabled: ${disable.join(', ')}` : ''].filter(Boolean).join('; '));
    },
  },
];
