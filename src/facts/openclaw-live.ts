/**
 * OpenClaw facts about the live deployment beyond the audit: the service user's CLI device
 * pairing (state/openclaw.sqlite, read-only, no token column) and `openclaw doctor --lint --json`.
 * Both run as the service user; neither prints a secret.
 */
import type { Executor } from '../exec/types.ts';
import { parsePairingState, READ_PAIRING_SCRIPT, STATE_DB, type PairingState } from '../openclaw/pairing.ts';
import { probeTokenOnPort, tokenAt, type AuthProbe } from '../openclaw/token.ts';
import { configPath } from '../openclaw/paths.ts';
import { cmdProblem, firstLine, lastLine, runRaw } from './probe.ts';
import { serviceUserCli } from './openclaw.ts';
import { type FactKind, type Raw, ref, unknown } from './types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';

/** arg: `USER HOME STATEDIR NPMPREFIX` (space separated; none of them contain spaces). */
export function liveArg(user: string, home: string, stateDir: string, npmPrefix: string): string {
  return [user, home, stateDir, npmPrefix].join(' ');
}

const asUser = (arg: string) => {
  const [user = '', home = '', stateDir = '', prefix = ''] = arg.split(' ');
  // the instance PATH (paths.ts servicePath): its node first; runuser (sbin) for the executor's user switch
  return { user, home, stateDir, env: { HOME: home, NO_COLOR: '1', PATH: `${prefix}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` } };
};

export const openclawPairing: FactKind<PairingState> = {
  kind: 'openclaw.pairing',
  describe: "the service user's CLI device pairing (state/openclaw.sqlite, read-only, no token column)",
  probe(ex: Executor, arg: string): Promise<Raw> {
    const u = asUser(arg);
    return runRaw(ex, ['node', '--input-type=module', '-e', READ_PAIRING_SCRIPT, `${u.stateDir}/${STATE_DB}`], 30_000, { user: u.user, cwd: u.home, env: u.env });
  },
  parse(raw) {
    const p = cmdProblem(raw, `read ${STATE_DB}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`read ${STATE_DB}: ${raw.t === 'cmd' ? lastLine(raw.stderr) || `exit ${raw.exitCode}` : 'no output'}`);
    try {
      return parsePairingState(raw.stdout);
    } catch (err) {
      return unknown(`read ${STATE_DB}: ${(err as Error).message}`);
    }
  },
};

/** The pairing as the gate reads it (`audit.probe-device`) and the pairing step plans from it. */
export const pairingFactRef = (inst: ResolvedInstance) => ref(openclawPairing, liveArg(inst.user, inst.home, inst.stateDir, inst.npmPrefix));

export type TokenLive = AuthProbe | 'no-token';

/**
 * The running gateway asked with the token clawops keeps (the env file on 9.x, openclaw.json on
 * 2.x): accepted, refused (it runs with another one: started before the file changed, or reads
 * another source), unreachable, or no token in the file. The token goes on stdin; the reading holds
 * only the verdict. arg: `VERSION PORT ENVFILE CONFIG`.
 */
export const gatewayTokenLive: FactKind<{ verdict: TokenLive }> = {
  kind: 'openclaw.token-live',
  describe: 'whether the running gateway accepts the token in its env file (9.x) or openclaw.json (2.x) (POST /tools/invoke, the token on stdin)',
  async probe(ex: Executor, arg: string): Promise<Raw> {
    const [version = '', port = '', envFile = '', config = ''] = arg.split(' ');
    const started = Date.now();
    try {
      const token = await tokenAt(ex, version, envFile, config);
      const verdict: TokenLive = token === undefined ? 'no-token' : await probeTokenOnPort(ex, Number(port), token);
      return { t: 'cmd', exitCode: 0, stdout: verdict, stderr: '', timedOut: false, durationMs: Date.now() - started };
    } catch (err) {
      return { t: 'error', message: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started };
    }
  },
  parse(raw) {
    const p = cmdProblem(raw, 'ask the gateway with its token');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('ask the gateway with its token: no answer');
    const v = raw.stdout.trim();
    return ['accepted', 'refused', 'unreachable', 'no-token'].includes(v) ? { verdict: v as TokenLive } : unknown(`ask the gateway with its token: ${JSON.stringify(v.slice(0, 40))}`);
  },
};

export const tokenLiveRef = (inst: ResolvedInstance, version: string) =>
  ref(gatewayTokenLive, [version, String(inst.port), inst.envFile, configPath(inst)].join(' '));

export interface LintFinding {
  checkId: string;
  severity: string;
  message: string;
  path?: string;
  fixHint?: string;
}

export interface LintValue {
  ok: boolean;
  checksRun: number;
  findings: LintFinding[];
  exitCode: number | null;
}

export const DOCTOR_LINT_TIMEOUT_MS = 120_000;

export const openclawDoctorLint: FactKind<LintValue> = {
  kind: 'openclaw.doctor-lint',
  describe: '`openclaw doctor --lint --json` as the service user (read-only findings; exit 0 none, 1 findings, 2 failure)',
  spawnsOpenclaw: true,
  // arg as auditArg in openclaw.ts: USER HOME ENVFILE BIN
  probe: serviceUserCli('doctor --lint --json', DOCTOR_LINT_TIMEOUT_MS),
  parse(raw) {
    const p = cmdProblem(raw, 'openclaw doctor --lint --json');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('openclaw doctor --lint: no output');
    return parseLint(raw.stdout, raw.exitCode, raw.stderr);
  },
};

export function parseLint(stdout: string, exitCode: number | null, stderr = ''): LintValue | { unknown: string } {
  const start = stdout.indexOf('{');
  if (start < 0) return unknown(`openclaw doctor --lint --json printed no JSON (exit ${exitCode}): ${firstLine(stderr)}`);
  try {
    const v = JSON.parse(stdout.slice(start)) as Partial<LintValue>;
    if (!Array.isArray(v.findings)) return unknown('openclaw doctor --lint --json: no findings array');
    return { ok: v.ok === true, checksRun: Number(v.checksRun ?? 0), findings: v.findings, exitCode };
  } catch (err) {
    return unknown(`openclaw doctor --lint --json: invalid JSON: ${(err as Error).message}`);
  }
}
