/**
 * `clawops rotate gateway-token`: a new token written on both sides in one atomic write (9.x:
 * the EnvironmentFile the gateway and the CLI read; 2.x: auth.token + remote.token in one config
 * write), a restart, then proof: healthy, the new token accepted, the old one refused. If the
 * gateway does not come back with the new token, the old one is put back and the gateway restarted.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { waitHealthy } from './probe.ts';
import { currentToken, generateToken, probeToken, writeConfigTokens, writeEnvToken, type AuthProbe } from './token.ts';
import { capabilities } from './versions.ts';

export interface RotateResult {
  instance: string;
  unit: string;
  healthy: boolean;
  /** ms from restart to healthy */
  restartMs: number;
  newToken: AuthProbe;
  /** null when there was no previous token */
  oldToken: AuthProbe | null;
}

export interface RotateOptions {
  healthTimeoutMs?: number;
  log?: (line: string) => void;
}

export async function writeToken(ex: Executor, inst: ResolvedInstance, version: string, token: string): Promise<void> {
  if (capabilities(version).tokenEnvReference) await writeEnvToken(ex, inst, token);
  else await writeConfigTokens(ex, inst, token);
}

/** A gateway restarted the way an operator would: a latched start limit cleared first. */
export async function restartGateway(ex: Executor, inst: ResolvedInstance): Promise<void> {
  await ex.run(['systemctl', 'reset-failed', inst.unit], { allowFailure: true });
  await ex.run(['systemctl', 'restart', inst.unit], { timeoutMs: 360_000 });
}

export async function rotateGatewayToken(
  ex: Executor,
  inst: ResolvedInstance,
  version: string,
  opts: RotateOptions = {},
): Promise<RotateResult> {
  const log = opts.log ?? (() => {});
  const timeout = opts.healthTimeoutMs ?? 240_000;
  const old = await currentToken(ex, inst, version);
  const next = generateToken();
  await writeToken(ex, inst, version, next);
  log(`${inst.name}: new token written (${capabilities(version).tokenEnvReference ? inst.envFile : 'auth.token + remote.token'}); restarting ${inst.unit}`);
  await restartGateway(ex, inst);
  const h = await waitHealthy(ex, inst, version, timeout);
  const newProbe = h.ok ? await probeToken(ex, inst, next) : 'unreachable';
  if (!h.ok || newProbe !== 'accepted') {
    if (old !== undefined) {
      log(`${inst.name}: the gateway did not come back with the new token; putting the old one back`);
      await writeToken(ex, inst, version, old);
      await restartGateway(ex, inst);
    }
    throw new ClawopsError(
      `${inst.name}: after rotation the gateway is ${h.ok ? `healthy but the new token was ${newProbe}` : `not healthy (${h.detail})`}`,
      { hint: `the previous token was restored; look at \`journalctl -u ${inst.unit} -n 50\`` },
    );
  }
  const oldProbe = old === undefined ? null : await probeToken(ex, inst, old);
  const result: RotateResult = { instance: inst.name, unit: inst.unit, healthy: true, restartMs: h.ms, newToken: newProbe, oldToken: oldProbe };
  if (oldProbe === 'accepted') {
    throw new ClawopsError(`${inst.name}: the gateway still accepts the old token after rotation`, {
      hint: 'another token source is active (OPENCLAW_GATEWAY_TOKEN in ~/.openclaw/.env or the unit?); run `clawops check --profile security`',
    });
  }
  return result;
}
