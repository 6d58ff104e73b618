/**
 * Model providers and the default model (hardened guide phase 3): configured as the spec says,
 * each API key a reference to `~/.openclaw/.env` (never a literal in openclaw.json), and the copy
 * there the reference's current value (compared by descriptor; a value visible only to clawops'
 * own environment is not compared where that environment is absent, e.g. under a check timer).
 */
import { envFile } from '../facts/openclaw.ts';
import { parseSecretDescriptor } from '../facts/secrets.ts';
import { isUnknown, known, ref } from '../facts/types.ts';
import { dotEnvPath, providerKeys, providerKeyVar } from '../openclaw/providers.ts';
import { config, CONFIG_FIX, configRef, envRefVariable } from './config-helpers.ts';
import { installRef } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const providerChecks: CheckDef[] = [
  {
    id: 'openclaw.config.providers',
    title: "Model providers and the default model as the spec says; API keys by reference, the copy current",
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 3.1-3.3 (provider auth, credentials, primary model); production runbook 5 (secrets policy)',
    remediation: `${CONFIG_FIX}; the provider step copies each key from its reference into ~/.openclaw/.env (0600)`,
    needs: (ctx) => {
      const keys = providerKeys(ctx.spec);
      return [configRef(ctx), installRef(ctx), ...(keys.length > 0 ? [ref(envFile, dotEnvPath(ctx.inst)), ...keys.map((k) => k.source)] : [])];
    },
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const spec = ctx.spec;
      const problems: string[] = [];
      const present = c.get('models.providers');
      // a literal key in the config is a plaintext secret whoever put it there
      for (const [id, p] of Object.entries(isObject(present) ? present : {})) {
        if (isObject(p) && parseSecretDescriptor(p.apiKey)) problems.push(`models.providers.${id}.apiKey is a literal key in openclaw.json`);
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
        if (!want.apiKey) continue;
        const variable = envRefVariable(got.apiKey);
        if (variable !== providerKeyVar(id)) {
          if (!parseSecretDescriptor(got.apiKey)) problems.push(`${at}.apiKey is ${got.apiKey === undefined ? 'not set' : 'not a reference'} (want ${providerKeyVar(id)} from ~/.openclaw/.env)`);
          continue;
        }
        const env = known(f, ref(envFile, dotEnvPath(ctx.inst)));
        const held = env.missing ? undefined : env.vars[variable];
        if (!parseSecretDescriptor(held)) {
          problems.push(`${dotEnvPath(ctx.inst)} ${env.missing ? 'does not exist' : `does not define ${variable}`}`);
          continue;
        }
        const src = f.get(providerKeys(spec).find((k) => k.id === id)!.source) as { missing: boolean; descriptor?: string } | { unknown: string };
        if (!isUnknown(src) && !src.missing && src.descriptor !== held) problems.push(`${variable} in ${dotEnvPath(ctx.inst)} is not the current value of its reference (rotated?)`);
      }
      const primary = c.get('agents.defaults.model.primary');
      const fallbacks = c.get('agents.defaults.model.fallbacks') ?? [];
      if (spec.model.primary && primary !== spec.model.primary) problems.push(`agents.defaults.model.primary = ${JSON.stringify(primary)} (want ${spec.model.primary})`);
      if (spec.model.fallbacks.length > 0 && JSON.stringify(fallbacks) !== JSON.stringify(spec.model.fallbacks)) {
        problems.push(`agents.defaults.model.fallbacks = ${JSON.stringify(fallbacks)} (want ${JSON.stringify(spec.model.fallbacks)})`);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      const ids = Object.keys(spec.providers);
      if (ids.length === 0 && !spec.model.primary) return skipped('the spec names no provider or model (OpenClaw\'s own onboarding owns them)');
      return pass(`${ids.length ? `providers ${ids.join(', ')}` : 'no custom provider'}; primary ${JSON.stringify(primary ?? null)}`);
    },
  },
];
