/**
 * The one way clawops runs apt-get install. Simulates first: when the transaction would remove
 * ufw (the runbook gotcha: taking Ubuntu's nodejs out takes ufw with it), ufw is added to the same
 * transaction so it is never left uninstalled; any other removal is refused. Stale lists are
 * refreshed once; an interrupted dpkg is finished first.
 */
import { ClawopsError, CommandError } from '../core/errors.ts';
import type { Journal } from '../engine/types.ts';
import type { Executor, RunResult } from '../exec/types.ts';
import { progress } from './file.ts';

/** packages that must never leave the host as a side effect of another install */
export const PROTECTED = ['ufw'];

// needrestart's apt hook does nothing during clawops' installs (in its automatic mode it would restart services,
// the gateway and sshd included, in the middle of an apply): host.baseline.needrestart reports what needs a restart
const ENV = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_SUSPEND: '1' };
const OPTS = ['-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
const INSTALL_TIMEOUT_MS = 30 * 60_000;

export function aptInstallArgv(pkgs: readonly string[], simulate = false): string[] {
  return ['apt-get', ...(simulate ? ['-s'] : []), 'install', '-y', '--no-install-recommends', ...OPTS, ...pkgs];
}

/** Pure: package names an `apt-get -s` transcript would remove. */
export function removalsIn(simulation: string): string[] {
  return [...simulation.matchAll(/^Remv (\S+)/gm)].map((m) => m[1] as string);
}

/** Pure: the transaction to run after a simulation: protected packages re-added, or a refusal. */
export function guardTransaction(pkgs: readonly string[], removed: readonly string[]): { pkgs: string[] } | { refuse: string[] } {
  const keep = removed.filter((p) => PROTECTED.includes(p) && !pkgs.includes(p));
  const other = removed.filter((p) => !PROTECTED.includes(p) && !pkgs.includes(p));
  if (other.length > 0) return { refuse: other };
  return { pkgs: [...pkgs, ...keep] };
}

export async function aptInstall(ex: Executor, pkgs: readonly string[], journal: Journal): Promise<string[]> {
  let sim = await simulate(ex, pkgs);
  if (sim.exitCode !== 0 && /Unable to locate package|has no installation candidate|not found/i.test(sim.stderr)) {
    progress(journal, 'apt-get update (package lists are stale)');
    await ex.run(['apt-get', 'update', ...OPTS.slice(0, 2)], { env: ENV, timeoutMs: 10 * 60_000, allowFailure: true });
    sim = await simulate(ex, pkgs);
  }
  if (sim.exitCode !== 0 && /dpkg --configure -a/.test(sim.stderr)) {
    progress(journal, 'finishing an interrupted dpkg run (dpkg --configure -a)');
    await ex.run(['dpkg', '--configure', '-a'], { env: ENV, timeoutMs: INSTALL_TIMEOUT_MS });
    sim = await simulate(ex, pkgs);
  }
  if (sim.exitCode !== 0) throw failure(ex, sim, 'apt-get cannot install these packages');
  const guarded = guardTransaction(pkgs, removalsIn(sim.stdout));
  if ('refuse' in guarded) {
    throw new ClawopsError(`installing ${pkgs.join(' ')} would remove ${guarded.refuse.join(' ')}; refusing`, {
      hint: 'resolve the conflict by hand (apt-get -s install shows the transaction), then re-run clawops apply',
    });
  }
  if (guarded.pkgs.length > pkgs.length) progress(journal, `keeping ${guarded.pkgs.slice(pkgs.length).join(' ')} in the same transaction (it would be removed otherwise)`);
  progress(journal, `apt-get install ${guarded.pkgs.join(' ')}`);
  await ex.run(aptInstallArgv(guarded.pkgs), { env: ENV, timeoutMs: INSTALL_TIMEOUT_MS });
  return guarded.pkgs;
}

function simulate(ex: Executor, pkgs: readonly string[]): Promise<RunResult> {
  return ex.run(aptInstallArgv(pkgs, true), { env: ENV, timeoutMs: 5 * 60_000, allowFailure: true });
}

function failure(ex: Executor, r: RunResult, hint: string): CommandError {
  return new CommandError(
    { argv: r.argv, target: ex.target, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs },
    { hint: `${hint}: check the package names and the apt sources on ${ex.target}` },
  );
}
