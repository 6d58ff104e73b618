import { ClawopsError, CommandError, type CommandFailure } from '../core/errors.ts';
import { ROOT_PATH, startLocal } from './process.ts';
import { safeWrite } from '../core/safe-fs.ts';
import {
  DEFAULT_TIMEOUT_MS,
  type Executor,
  type FileStat,
  type FileType,
  type LiveProcess,
  type RawResult,
  type StartOptions,
  type RunOptions,
  type RunResult,
  type Transport,
  type WriteOptions,
} from './types.ts';

const NOT_FOUND = 3;

const READ_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec cat -- "$1"`;
const STAT_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$1"`;

/**
 * Builds the Executor contract once, on any transport: timeouts, output limits, CommandError with
 * redaction, and the file operations (readFile and stat as small POSIX sh scripts, GNU coreutils on
 * the target: Debian and Ubuntu; writeFile through core/safe-fs, perl-base on the target).
 */
export class ShellExecutor implements Executor {
  private readonly transport: Transport;
  constructor(transport: Transport) {
    this.transport = transport;
  }

  get target(): string {
    return this.transport.target;
  }

  reopen(): ShellExecutor {
    return new ShellExecutor(this.transport.reopen());
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const stdin = opts.stdin === undefined ? undefined : Buffer.from(opts.stdin);
    const secrets = opts.secrets ?? [];
    let raw: RawResult;
    try {
      raw = await this.transport.spawn(argv, {
        ...(stdin ? { stdin } : {}),
        // root's fixed PATH unless the caller sets one (only for commands run as the service user)
        env: { PATH: ROOT_PATH, ...opts.env },
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.user ? { user: opts.user } : {}),
        ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
      });
    } catch (cause) {
      // the transport's own diagnosis (no such container, ssh refused the host key...) stands as is
      if (cause instanceof ClawopsError) throw cause;
      const code = (cause as NodeJS.ErrnoException | undefined)?.code;
      const prog = argv[0] ?? '';
      throw new CommandError(
        { ...NOT_STARTED, argv: [...argv], target: this.target, stderr: cause instanceof Error ? cause.message : String(cause) },
        {
          cause,
          secrets,
          hint:
            code === 'ENOENT'
              ? `check that ${prog} is installed and on PATH on ${this.target}${opts.cwd ? ` and that ${opts.cwd} exists` : ''}`
              : `check that ${prog} can be started on ${this.target}`,
        },
      );
    }
    const result: RunResult = {
      argv: [...argv],
      exitCode: raw.exitCode,
      signal: raw.signal,
      timedOut: raw.timedOut,
      stdout: raw.stdout.toString('utf8'),
      stderr: raw.stderr.toString('utf8'),
      stdoutBytes: raw.stdout,
      durationMs: raw.durationMs,
    };
    const failed = result.exitCode !== 0 || result.timedOut;
    if (raw.outputLimitExceeded || (failed && !opts.allowFailure)) {
      throw new CommandError(
        { ...toFailure(result, this.target), ...(raw.outputLimitExceeded ? { outputLimitExceeded: true } : {}) },
        { secrets },
      );
    }
    return result;
  }

  async readFile(path: string): Promise<Buffer | null> {
    const r = await this.run(['sh', '-c', READ_SCRIPT, 'sh', path], { allowFailure: true });
    if (r.exitCode === NOT_FOUND) return null;
    if (r.exitCode !== 0) throw this.failure(r, `check that ${path} is a readable file on ${this.target}`);
    return r.stdoutBytes;
  }

  /**
   * Atomic write through core/safe-fs (temp file beside the destination created O_EXCL|O_NOFOLLOW,
   * owner and mode set on the descriptor, fsync, rename within the held directory): no symlink
   * below a directory others can write is followed, so a user's planted link cannot aim root's
   * write elsewhere. Killed at any point, the destination is either the old or the new file.
   */
  writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    return safeWrite(this, path, content, opts);
  }

  async stat(path: string): Promise<FileStat | null> {
    const r = await this.run(['sh', '-c', STAT_SCRIPT, 'sh', path], { allowFailure: true });
    if (r.exitCode === NOT_FOUND) return null;
    if (r.exitCode !== 0) throw this.failure(r, `check that ${path} is reachable on ${this.target}`);
    return parseStat(path, r.stdout);
  }

  start(argv: readonly string[], opts: StartOptions = {}): LiveProcess {
    // root's fixed PATH, as for run()
    const how = this.transport.startCommand?.(argv, { ...opts, env: { PATH: ROOT_PATH, ...opts.env } });
    if (!how) {
      throw new ClawopsError(`${this.target} cannot keep a command running`, {
        hint: 'use a local, ssh:// or nspawn: target for commands that change the host',
      });
    }
    return startLocal(how.argv, how.env);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private failure(r: RunResult, hint: string): CommandError {
    return new CommandError(toFailure(r, this.target), { hint: r.timedOut || r.exitCode === 127 ? undefined : hint });
  }
}

function toFailure(r: RunResult, target: string): CommandFailure {
  const { argv, exitCode, signal, timedOut, stdout, stderr, durationMs } = r;
  return { argv, target, exitCode, signal, timedOut, stdout, stderr, durationMs };
}

const NOT_STARTED = { exitCode: null, signal: null, timedOut: false, stdout: '', durationMs: 0 } as const;

export function parseStat(path: string, line: string): FileStat {
  const [kind = '', mode = '0', uid = '0', gid = '0', owner = '', group = '', size = '0', mtime = '0'] = line
    .trim()
    .split('|');
  return {
    path,
    type: fileType(kind),
    mode: parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    owner,
    group,
    size: Number(size),
    mtimeMs: Number(mtime) * 1000,
  };
}

function fileType(kind: string): FileType {
  if (kind.startsWith('regular')) return 'file';
  if (kind === 'directory') return 'directory';
  if (kind === 'symbolic link') return 'symlink';
  return 'other';
}
