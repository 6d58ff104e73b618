/**
 * Running openclaw as the service user, and writing `openclaw.json` the way OpenClaw does
 * (mode 600, a `.bak` ring of 5) for versions without `openclaw config patch`.
 */
import { LOAD_ENV_FN } from '../core/env-file.ts';
import { safeRemove } from '../core/safe-fs.ts';
import { ClawopsError } from '../core/errors.ts';
import type { Executor, RunResult } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { serviceTmpDir, servicePath } from './paths.ts';
import { capabilities } from './versions.ts';

/** OpenClaw's own ring: `openclaw.json.bak` (newest), `.bak.1` .. `.bak.4`. */
export const CONFIG_BACKUP_COUNT = 5;

// As the service user: load the instance EnvironmentFile (so `${OPENCLAW_GATEWAY_TOKEN}` in the
// config resolves, exactly as for the gateway under systemd) without the value ever being in argv.
// The file is parsed, never sourced (core/env-file.ts).
const WITH_ENV_FILE = `${LOAD_ENV_FN}load_env "$1"; shift; exec "$@"`;

export interface OpenclawRunOptions {
  stdin?: string;
  timeoutMs?: number;
  allowFailure?: boolean;
  env?: Record<string, string>;
  /** run this argv (e.g. `node -e ...`) instead of `openclaw ARGS`, with the same user, PATH and environment */
  execArgv?: readonly string[];
}

/** `openclaw ARGS` as the instance's service user, with its HOME, PATH and (9.x) token environment. */
export function openclawRun(
  ex: Executor,
  inst: ResolvedInstance,
  version: string,
  args: readonly string[],
  opts: OpenclawRunOptions = {},
): Promise<RunResult> {
  const caps = capabilities(version);
  const env: Record<string, string> = {
    HOME: inst.home,
    PATH: servicePath(inst),
    TMPDIR: serviceTmpDir(inst),
    ...(caps.externalSupervisor ? { OPENCLAW_SUPERVISOR_MODE: 'external', OPENCLAW_SERVICE_REPAIR_POLICY: 'external' } : {}),
    ...opts.env,
  };
  const argv = [
    // umask 077 as the unit's UMask=: what the CLI creates for the gateway (2.x opens its file log) stays private
    'sh', '-c', `umask 077; mkdir -p -m 0700 "$TMPDIR"; ${WITH_ENV_FILE}`, 'sh',
    caps.tokenEnvReference ? inst.envFile : '/dev/null', ...(opts.execArgv ?? [inst.bin, ...args]),
  ];
  return ex.run(argv, {
    user: inst.user,
    cwd: inst.home,
    env,
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    ...(opts.allowFailure ? { allowFailure: true } : {}),
  });
}

/**
 * Validates candidate config text with the installed openclaw before it replaces the real file:
 * the candidate is written beside it (0600, service user) and loaded through OPENCLAW_CONFIG_PATH.
 */
export async function validateCandidateConfig(ex: Executor, inst: ResolvedInstance, version: string, text: string): Promise<void> {
  const tmp = `${inst.stateDir}/.openclaw.json.clawops-candidate`;
  await ex.writeFile(tmp, text, { mode: 0o600, owner: inst.user, group: inst.user });
  try {
    const r = await openclawRun(ex, inst, version, ['config', 'get', 'gateway.mode'], {
      env: { OPENCLAW_CONFIG_PATH: tmp },
      allowFailure: true,
      timeoutMs: 300_000, // a cold 2.x start compiles its TypeScript first
    });
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.exitCode !== 0 || /invalid config|config validation failed|unrecognized key/i.test(out)) {
      // OpenClaw names the key on the lines after its verdict (inside a box on 2.x): keep those, unboxed
      const BOX = /[\u2500-\u257f\u25c6\u25c7|]/g;
      const lines = out.split('\n').map((l) => l.replace(BOX, '').trim()).filter((l) => l !== '');
      const at = lines.findIndex((l) => /invalid|unrecognized|validation|unknown config/i.test(l));
      const why = at < 0 ? `exit ${r.exitCode}` : lines.slice(at, at + 8).join('; ');
      throw new ClawopsError(`openclaw ${version} rejects the planned config: ${why.slice(0, 600)}`, {
        hint: 'the live config was not touched; check the keys in the plan against this version',
      });
    }
  } finally {
    await safeRemove(ex, tmp).catch(() => undefined);
  }
}

const ROTATE_SCRIPT = `set -eu
p=$1; n=$2
[ -e "$p" ] || exit 0
rm -f -- "$p.bak.$((n - 1))"
i=$((n - 2))
while [ "$i" -ge 1 ]; do
  if [ -e "$p.bak.$i" ]; then mv -f -- "$p.bak.$i" "$p.bak.$((i + 1))"; fi
  i=$((i - 1))
done
if [ -e "$p.bak" ]; then mv -f -- "$p.bak" "$p.bak.1"; fi
cp -p -- "$p" "$p.bak"`;

/** Rotates the `.bak` ring (as the service user, so the copies keep its ownership and mode) and writes atomically. */
export async function writeConfigWithBackups(ex: Executor, inst: ResolvedInstance, path: string, text: string): Promise<void> {
  await ex.run(['sh', '-c', ROTATE_SCRIPT, 'sh', path, String(CONFIG_BACKUP_COUNT)], { user: inst.user });
  await ex.writeFile(path, text, { mode: 0o600, owner: inst.user, group: inst.user });
}
