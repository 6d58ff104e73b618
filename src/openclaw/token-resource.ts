/**
 * The gateway token as a resource: make sure one exists where the version reads it, well-formed,
 * 0600, owned by the service user (and, on 2.x, equal on both config keys). It never rotates a
 * healthy token: that is `clawops rotate gateway-token`.
 */
import type { Executor } from '../exec/types.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { configPath } from './paths.ts';
import {
  generateToken,
  isWellFormedToken,
  readTokenFacts,
  TOKEN_ENV,
  tokenFromEnvText,
  writeConfigTokenRef,
  writeConfigTokens,
  writeEnvToken,
  type TokenFacts,
} from './token.ts';
import { capabilities } from './versions.ts';

type Step = 'env-file' | 'env-file-mode' | 'config-ref' | 'config-pair';

export function tokenResourceId(inst: ResolvedInstance): string {
  return `openclaw-token:${inst.name}`;
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

export function openclawTokenResource(spec: ResolvedSpec, inst: ResolvedInstance): Resource<TokenFacts> {
  const id = tokenResourceId(inst);
  const version = spec.openclaw.version;
  return {
    id,
    kind: 'openclaw-token',
    dependsOn: [`openclaw-install:${inst.name}`],
    read: (ex: Executor) => readTokenFacts(ex, inst, version),
    plan(f: TokenFacts): PlanOutcome {
      const steps = planTokenSteps(version, f);
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
        const f = await readTokenFacts(ex, inst, version);
        if (f.envFileOk === true) return;
        await journal.saveFile(ex, inst.envFile);
        await writeEnvToken(ex, inst, await keepOrNew(ex, inst, step));
      } else if (step === 'config-ref') {
        await journal.saveFile(ex, configPath(inst));
        await writeConfigTokenRef(ex, inst, version);
      } else {
        await journal.saveFile(ex, configPath(inst));
        await writeConfigTokens(ex, inst, generateToken());
      }
    },
  };
}

async function keepOrNew(ex: Executor, inst: ResolvedInstance, step: Step): Promise<string> {
  if (step === 'env-file-mode') {
    const buf = await ex.readFile(inst.envFile);
    const t = buf === null ? undefined : tokenFromEnvText(buf.toString('utf8'));
    if (isWellFormedToken(t)) return t;
  }
  return generateToken();
}
