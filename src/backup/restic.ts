/**
 * restic on the target, through the executor. The password stays in its file
 * (RESTIC_PASSWORD_FILE, a location). The repository URL may carry credentials
 * (rest:https://user:pass@..., s3 keys in a URL): it is never put in argv or the environment,
 * both of which the ssh and nspawn executors put on a command line (visible in /proc/PID/cmdline
 * and /proc/PID/environ of the remote process): restic reads it from its standard input with
 * `--repository-file /dev/stdin`, so it is never on disk either. restic must open /dev/stdin,
 * which fails on the socket Node gives a child for stdin (ENXIO), so a `cat |` in front makes it
 * a pipe on every executor. A password in the URL is
 * registered as a secret and masked wherever the repository is named.
 * Failures become one-line ClawopsErrors that say which of the usual things went wrong (no
 * repository, wrong password, unreachable, read-only, full disk).
 */
import { ClawopsError, CommandError } from '../core/errors.ts';
import { registerSecret, safeUrl } from '../core/redact.ts';
import type { Executor, RunResult } from '../exec/types.ts';
import { snapshotsArgv } from './plan.ts';
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

/** restic's global option that reads the repository location from standard input. */
export const REPOSITORY_FROM_STDIN = ['--repository-file', '/dev/stdin'] as const;

/** The repository as it may be shown and recorded: userinfo removed, secret query values described (core/redact). */
export function displayRepository(repository: string): string {
  return safeUrl(repository);
}

/** The password in a repository URL's userinfo (rest:https://user:PASS@host/...), if any. */
export function repositoryPassword(repository: string): string | undefined {
  const m = /^[a-z0-9]+:[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@/\s]+)@/i.exec(repository);
  return m?.[1];
}

/**
 * The argv and options one restic call runs with: `--repository-file /dev/stdin` right after
 * `restic` (a global option) behind `cat |`, the repository on stdin, only file locations in the
 * environment. The exit code is restic's (the last command of the pipeline).
 */
export function resticInvocation(argv: readonly string[], repository: string, passwordFile: string, cacheDir: string): { argv: string[]; stdin: string; env: Record<string, string> } {
  const [bin = 'restic', ...rest] = argv;
  return {
    argv: ['sh', '-c', 'cat | "$@"', 'restic-stdin', bin, ...REPOSITORY_FROM_STDIN, ...rest],
    stdin: `${repository}\n`,
    env: { RESTIC_PASSWORD_FILE: passwordFile, RESTIC_CACHE_DIR: cacheDir },
  };
}

export class Restic {
  readonly ex: Executor;
  /** for messages: a password in the URL masked */
  readonly repository: string;
  private readonly url: string;
  private readonly passwordFile: string;
  private readonly cacheDir: string;
  constructor(ex: Executor, repository: string, passwordFile: string, cacheDir: string) {
    this.ex = ex;
    this.url = repository;
    this.repository = displayRepository(repository);
    this.passwordFile = passwordFile;
    this.cacheDir = cacheDir;
    const secret = repositoryPassword(repository);
    if (secret) registerSecret(secret);
  }

  /** Run restic; a failure throws a ResticError naming the problem (unless allowFailure). */
  async run(argv: readonly string[], opts: { cwd?: string; timeoutMs?: number; allowFailure?: boolean; what?: string } = {}): Promise<RunResult> {
    const inv = resticInvocation(argv, this.url, this.passwordFile, this.cacheDir);
    const r = await this.ex.run(inv.argv, {
      env: inv.env,
      stdin: inv.stdin,
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
