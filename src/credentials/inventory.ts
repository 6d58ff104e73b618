/**
 * Every credential of the guide's rotation table that a spec holds, with its rotation interval,
 * where its value lives on the target and the command that rotates it: the gateway token of each
 * instance, each provider's API key and each channel's bot token (their spec references).
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { SecretRefData } from '../desired/schema.ts';
import { dotEnvPath, envSecrets } from '../openclaw/env-secrets.ts';
import { configPath } from '../openclaw/paths.ts';
import { capabilities } from '../openclaw/versions.ts';
import { gatewayTokenId } from './record.ts';

export type CredentialKind = 'gateway-token' | 'provider-key' | 'bot-token';

export interface Credential {
  /** `gateway-token:<instance>`, `provider:<id>`, `channel:<id>` */
  id: string;
  kind: CredentialKind;
  what: string;
  /** days between rotations; 0: only on compromise */
  intervalDays: number;
  /** the file on the target whose last change bounds the value's age when no rotation is on record */
  stored: string;
  /** the spec reference of a key or bot token (the gateway token is clawops' own) */
  ref?: SecretRefData;
  /** the variable in `~/.openclaw/.env` */
  variable?: string;
  /** the command that rotates it */
  rotate: string;
}

/** Pure: how to rotate a referenced credential (a file reference takes the new value; an env one is exported first). */
export const rotateKeyCommand = (id: string, r: SecretRefData): string =>
  'file' in r ? `clawops rotate key ${id} --from-file NEW_VALUE_FILE` : `export ${r.env}=<new value>; clawops rotate key ${id}`;

export function credentialsOf(spec: ResolvedSpec): Credential[] {
  const c = spec.credentials;
  const tokenInEnv = capabilities(spec.openclaw.version).tokenEnvReference;
  const tokens: Credential[] = spec.resolved.map((inst) => ({
    id: gatewayTokenId(inst.name),
    kind: 'gateway-token',
    what: `the gateway token of ${inst.name}`,
    intervalDays: c.gatewayTokenDays,
    stored: tokenInEnv ? inst.envFile : configPath(inst),
    rotate: `clawops rotate gateway-token --instance ${inst.name}`,
  }));
  const first = spec.resolved[0];
  const keys: Credential[] = first === undefined ? [] : envSecrets(spec).map((s) => {
    const kind: CredentialKind = s.owner.startsWith('provider:') ? 'provider-key' : 'bot-token';
    return {
      id: s.owner,
      kind,
      what: s.what,
      intervalDays: kind === 'provider-key' ? c.providerKeyDays : c.botTokenDays,
      stored: 'file' in s.ref ? s.ref.file : dotEnvPath(first),
      ref: s.ref,
      variable: s.variable,
      rotate: rotateKeyCommand(s.owner, s.ref),
    };
  });
  return [...tokens, ...keys];
}
