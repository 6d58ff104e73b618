/**
 * The gateway token as a resource: make sure one exists where the version reads it, well-formed,
 * 0600, owned by the service user (and, on 2.x, equal on both config keys). It never rotates a
 * healthy token: that is `clawops rotate gateway-token`.
 */
import { gatewayTokenId, noteCredentials } from '../credentials/record.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { configPath } from './paths.ts';
import {
  generateToken,
  isWellFormedToken,
  TOKEN_REF,
  TOKEN_ENV,
  isTokenRef,
  tokenFromEnvText,
  writeConfigTokenRef,
  writeConfigTokens,
  writeEnvToken,
  type TokenFacts,
} from './token.ts';
import { capabilities } from './versions.ts';
import { configObject, envFile, getPath, openclawConfig } from '../facts/openclaw.ts';
import { parseSecretDescriptor } from '../facts/secrets.ts';
import { fileStat } from '../facts/system.ts';
import { collectRaw, factReader } from '../facts/collect.ts';
import { type FactReader, known, ref } from '../facts/types.ts';

type Step = 'env-file' | 'env-file-mode' | 'config-ref' | 'config-pair';

export function tokenResourceId(inst: ResolvedInstance): string {
  return `openclaw-token:${inst.name}`;
}

/** The gate's readings the token step plans from: openclaw.json and the EnvironmentFile (secrets as descriptors). */
export const tokenNeeds = (inst: ResolvedInstance) => [ref(openclawConfig, configPath(inst)), ref(envFile, inst.envFile), ref(fileStat, inst.envFile)];

const TOKEN_LENGTH = 64;
const wellFormed = (v: unknown): boolean => parseSecretDescriptor(v)?.length === TOKEN_LENGTH;

/** Pure: the token facts from the sanitised readings (a token is compared by its descriptor, never seen). */
export function tokenFactsFrom(f: FactReader, inst: ResolvedInstance, version: string): TokenFacts {
  const config = configObject(known(f, ref(openclawConfig, configPath(inst))), configPath(inst)) ?? {};
  const auth = getPath(config, 'gateway.auth.token');
  const remote = getPath(config, 'gateway.remote.token');
  const facts: TokenFacts = {
    envFileOk: null,
    envFileMode: null,
    configRef: isTokenRef(auth, version),
    configLiteral: typeof auth === 'string' && auth !== TOKEN_REF && auth !== '',
    configPairOk: wellFormed(auth) && auth === remote,
    remoteLiteral: typeof remote === 'string' && remote !== TOKEN_REF,
  };
  if (capabilities(version).tokenEnvReference) {
    const st = known(f, ref(fileStat, inst.envFile));
    const env = known(f, ref(envFile, inst.envFile));
    const present = !('missing' in st);
    facts.envFileMode = present ? st.mode.toString(8) : null;
    facts.envFileOk = present && st.mode === 0o600 && st.owner === inst.user && !env.missing && wellFormed(env.vars.OPENCLAW_GATEWAY_TOKEN);
  }
  return facts;
}

export function planTokenSteps(version: string, f: TokenFacts): { step: Step; summary: string }[] {
  if (capabilities(version).tokenEnvReference) {
    const out: { step: Step; summary: string }[] = [];
    if (f.envFileOk !== true) {
      out.push(
        f.envFileMode !== null && !f.configLiteral
          ? { step: 'env-file-mode', summary: 'make the token EnvironmentFile 0600, service user, well-formed (new token if it is not)' }
          : { step: 'env-file', summary: 'generate the gateway token into the EnvironmentFile (0600, service user)' },
      );
    }
    if (!f.configRef || f.remoteLiteral) {
      out.push({ step: 'config-ref', summary: `config refers to ${TOKEN_ENV} (${capabilities(version).tokenSecretRef ? 'a SecretRef' : '"${OPENCLAW_GATEWAY_TOKEN}"'}; no token value in openclaw.json)` });
    }
    return out;
  }
  return f.configPairOk ? [] : [{ step: 'config-pair', summary: 'generate the gateway token into auth.token and remote.token (equal, one write)' }];
}

export function openclawTokenResource(spec: ResolvedSpec, inst: ResolvedInstance): Resource {
  const id = tokenResourceId(inst);
  const version = spec.openclaw.version;
  return {
    id,
    kind: 'openclaw-token',
    dependsOn: [`openclaw-install:${inst.name}`],
    needs: () => tokenNeeds(inst),
    plan(facts): PlanOutcome {
      const steps = planTokenSteps(version, tokenFactsFrom(facts, inst, version));
      if (steps.length === 0) return { noop: 'the gateway token is in place (value not shown)' };
      const changes: PlannedChange[] = steps.map((s) => ({
        resourceId: id,
        kind: 'openclaw-token',
        action: s.step === 'env-file' || s.step === 'config-pair' ? 'add' : 'change',
        summary: s.summary,
        data: { step: s.step, version },
      }));
      return { changes };
    },
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const { step } = change.data as { step: Step; version: string };
      if (step === 'env-file' || step === 'env-file-mode') {
        // re-read at apply time: a well-formed token that only had the wrong mode is kept
        const f = tokenFactsFrom(factReader(await collectRaw(ex, tokenNeeds(inst))), inst, version);
        if (f.envFileOk === true) return;
        await journal.saveFile(ex, inst.envFile);
        const kept = step === 'env-file-mode' ? await wellFormedToken(ex, inst) : undefined;
        await writeEnvToken(ex, inst, kept ?? generateToken());
        if (kept === undefined) await noteCredentials(ex, spec.stateDir, [gatewayTokenId(inst.name)], 'apply');
      } else if (step === 'config-ref') {
        await journal.saveFile(ex, configPath(inst));
        await writeConfigTokenRef(ex, inst, version);
      } else {
        await journal.saveFile(ex, configPath(inst));
        await writeConfigTokens(ex, inst, generateToken());
        await noteCredentials(ex, spec.stateDir, [gatewayTokenId(inst.name)], 'apply');
      }
    },
  };
}

/** The token already in the EnvironmentFile when it is well-formed (kept when only the mode was wrong). */
async function wellFormedToken(ex: Executor, inst: ResolvedInstance): Promise<string | undefined> {
  const buf = await ex.readFile(inst.envFile);
  const t = buf === null ? undefined : tokenFromEnvText(buf.toString('utf8'));
  return isWellFormedToken(t) ? t : undefined;
}
