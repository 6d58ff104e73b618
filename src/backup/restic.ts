/**
 * restic on the target, through the executor. The repository and the password *file* travel in
 * restic's environment (RESTIC_REPOSITORY, RESTIC_PASSWORD_FILE: locations, not secrets); the
 * password itself never leaves its file. Failures become one-line ClawopsErrors that say which
 * of the usual things went wrong (no repository, wrong password, unreachable, read-only, full disk).
 */
import { ClawopsError, CommandError } from '../core/errors.ts';
import type { Executor, RunResult } from '../exec/types.ts';
import { resticEnv, snapshotsArgv } from './plan.ts';
import { classifyResticError, fatalLine, parseSnapshots, type ResticProblem, type Snapshot } from './restic-parse.ts';

export const RESTIC_TIMEOUT_MS = 6 * 3600_000;

export class ResticError extends ClawopsError {
  readonly problem: ResticProblem;
  constructor(message: string, problem: ResticProblem, opts: { hint?: string; cause?: unknown }) {
    super(message, opts);
    this.name = 'ResticError';
    this.problem = problem;
  }
}

export class Restic {
  readonly ex: Executor;
  readonly repository: string;
  private readonly env: Record<string, string>;
  constructor(ex: Executor, repository: string, passwordFile: string, cacheDir: string) {
    this.ex = ex;
    this.repository = repository;
    this.env = resticEnv(repository, passwordFile, cacheDir);
  }

  /** Run restic; a failure throws a ResticError naming the problem (unless allowFailure). */
  async run(argv: readonly string[], opts: { cwd?: string; timeoutMs?: number; allowFailure?: boolean; what?: string } = {}): Promise<RunResult> {
    const r = await this.ex.run(argv, {
      env: this.env,
      allowFailure: true,
      timeoutMs: opts.timeoutMs ?? RESTIC_TIMEOUT_MS,
      maxOutputBytes: 256 * 1024 * 1024,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    if ((r.exitCode === 0 && !r.timedOut) || opts.allowFailure) return r;
    throw this.error(r, opts.what ?? `restic ${argv[1] ?? ''}`);
  }

  error(r: RunResult, what: string): ResticError {
    const cause = new CommandError({ ...r, target: this.ex.target });
    if (r.exitCode === 127 || /restic: (command )?not found|executable file not found/.test(r.stderr)) {
      return new ResticError(`restic is not installed on ${this.ex.target}`, 'other', { cause, hint: 'install it: apt-get install restic (it is in the spec\'s os.packages)' });
    }
    if (r.timedOut) return new ResticError(`${what} timed out after ${Math.round(r.durationMs / 1000)} s`, 'other', { cause, hint: 'check the repository\'s speed and size, then run it again' });
    const problem = classifyResticError(r.stderr);
    const repo = this.repository;
    const why = fatalLine(r.stderr);
    const m: Record<ResticProblem, [string, string]> = {
      'no-repository': [`no restic repository at ${repo}`, 'run `clawops backup run` once to initialise it, or fix backup.repository in the spec'],
      'password-file-missing': [`the restic password file is missing: ${why}`, 'create it (mode 600) or fix backup.password in the spec'],
      'wrong-password': [`wrong password for the restic repository ${repo}`, 'backup.password must hold the password the repository was initialised with'],
      unreachable: [`the restic repository ${repo} is unreachable: ${why}`, 'check the network path and the ssh/credentials configuration for that repository'],
      'read-only': [`${what} failed: ${why}`, 'the repository (or restore target) is on a read-only file system: point backup.repository / --to somewhere writable'],
      'no-space': [`${what} failed: no space left on device (${why})`, 'free space on the target file system (or choose another directory), then run it again'],
      locked: [`the restic repository ${repo} is locked by another process`, 'wait for the other backup to finish; if none is running, run `restic unlock`'],
      other: [`${what} failed: ${why || `exit ${r.exitCode}`}`, 'run again with --debug to see restic\'s output'],
    };
    const [message, hint] = m[problem];
    return new ResticError(message, problem, { hint, cause });
  }

  /** Make sure the repository exists; initialise it (explicitly, logged) when it does not. Returns true when it initialised one. */
  async ensureRepository(log: (line: string) => void): Promise<boolean> {
    const r = await this.run(['restic', 'cat', 'config'], { allowFailure: true, timeoutMs: 120_000 });
    if (r.exitCode === 0) return false;
    const err = this.error(r, 'opening the restic repository');
    if (err.problem !== 'no-repository') throw err;
    log(`no restic repository at ${this.repository}: initialising one`);
    await this.run(['restic', 'init'], { what: `initialising the restic repository at ${this.repository}`, timeoutMs: 300_000 });
    return true;
  }

  async snapshots(filter: { instance?: string; host?: string } = {}): Promise<Snapshot[]> {
    const r = await this.run(snapshotsArgv(filter), { timeoutMs: 300_000, what: 'listing snapshots' });
    return parseSnapshots(r.stdout).sort((a, b) => a.time.localeCompare(b.time));
  }
}

export function tagValue(s: Snapshot, key: string): string | undefined {
  const t = s.tags.find((x) => x.startsWith(`${key}=`));
  return t?.slice(key.length + 1);
}
