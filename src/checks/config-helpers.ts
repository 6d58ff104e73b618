/** Reading the OpenClaw config inside checks. */
import { configPath } from '../facts/paths.ts';
import { configObject, envFile, getPath, openclawConfig } from '../facts/openclaw.ts';
import { ENV_REF_RE, parseSecretDescriptor, type SecretDescriptor } from '../facts/secrets.ts';
import { type FactReader, ref, known, FactUnknownError } from '../facts/types.ts';

import type { CheckContext } from './types.ts';

export const configRef = (ctx: CheckContext) => ref(openclawConfig, configPath(ctx.inst));
export const envRef = (ctx: CheckContext) => ref(envFile, ctx.inst.envFile);
export const CONFIG_FIX = 'clawops apply (gateway config step: one batched, validated write)';

/** The config object; unknown (pointing at openclaw.config.present) when it is missing or does not parse. */
export function config(f: FactReader, ctx: CheckContext): { get(path: string): unknown } {
  const c = configObject(known(f, configRef(ctx)), configPath(ctx.inst));
  if (c === null) throw new FactUnknownError(`no OpenClaw config at ${configPath(ctx.inst)} (see openclaw.config.present)`);
  return { get: (p) => getPath(c, p) };
}

export type TokenInfo =
  | { kind: 'absent' }
  | { kind: 'literal'; secret: SecretDescriptor }
  | { kind: 'env'; variable: string; secret?: SecretDescriptor; envFileMissing: boolean }
  | { kind: 'other'; text: string };

/** The variable of an env reference: `${VAR}`, or a SecretRef `{source: "env", provider?, id: VAR}` (9.x). */
export function envRefVariable(value: unknown): string | undefined {
  if (typeof value === 'string') return ENV_REF_RE.exec(value)?.[1];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  return o.source === 'env' && typeof o.id === 'string' && /^[A-Z][A-Z0-9_]*$/.test(o.id) ? o.id : undefined;
}

/** What a token setting holds: a literal (descriptor), an env reference resolved through the env file, or nothing. */
export function tokenInfo(value: unknown, f: FactReader, ctx: CheckContext): TokenInfo {
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  const d = parseSecretDescriptor(value);
  if (d) return { kind: 'literal', secret: d };
  const variable = envRefVariable(value);
  if (variable) {
    const env = known(f, envRef(ctx));
    const v = env.missing ? undefined : env.vars[variable];
    const secret = parseSecretDescriptor(v);
    return { kind: 'env', variable, envFileMissing: env.missing, ...(secret ? { secret } : {}) };
  }
  return { kind: 'other', text: typeof value === 'string' ? `a ${value.length}-character string` : typeof value };
}
