import { ClawopsError, CommandError, type CommandFailure } from '../core/errors.ts';
import { startLocal } from './process.ts';
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

// Atomic write on the target: a 0600 temp file beside the destination (same filesystem), owner,
// group and mode set before the rename, fsync of the file and of the directory. The content arrives
// on stdin, never in argv. Killed at any point, the destination is either the old or the new file;
// a killed writer's temp file (0600, never read) is swept by a later write of the same path.
const WRITE_SCRIPT = `set -eu
p=$1; mode=$2; owner=$3; size=$4
d=$(dirname -- "$p"); b=$(basename -- "$p")
find "$d" -maxdepth 1 -name ".$b.clawops-*" -type f -mmin +10 -delete 2>/dev/null || true
t=$(mktemp "$d/.$b.clawops-XXXXXX")
trap 'rm -f -- "$t"' EXIT
trap 'exit 143' TERM INT HUP
cat > "$t"
# the writer may die mid-stream (cat then sees end-of-file): never rename a short file into place
[ "$(wc -c < "$t")" -eq "$size" ] || { echo "short write: expected $size bytes" >&2; exit 1; }
if [ -n "$owner" ]; then chown -- "$owner" "$t"; fi
chmod -- "$mode" "$t"
sync -- "$t" 2>/dev/null || true
mv -fT -- "$t" "$p"
trap - EXIT
sync -- "$d" 2>/dev/null || true`;

const READ_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec cat -- "$1"`;
const STAT_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$1"`;

/**
 * Builds the Executor contract once, on any transport: timeouts, output limits, CommandError with
 * redaction, and the file operations (readFile, atomic writeFile, stat) as small POSIX sh scripts
 * (GNU coreutils on the target: Debian and Ubuntu).
 */
export class ShellExecutor implements Executor {
  private readonly transport: Transport;
  constructor(transport: Transport) {
    this.transport = transport;
  }

  get target(): string {
    return this.transport.target;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const stdin = opts.stdin === undefined ? undefined : Buffer.from(opts.stdin);
    const secrets = opts.secrets ?? [];
    let raw: RawResult;
    try {
      raw = await this.transport.spawn(argv, {
        ...(stdin ? { stdin } : {}),
        env: opts.env ?? {},
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

  async writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
    const mode = opts.mode.toString(8).padStart(4, '0');
    const r = await this.run(['sh', '-c', WRITE_SCRIPT, 'sh', path, mode, owner, String(Buffer.byteLength(content))], {
      stdin: content,
      allowFailure: true,
    });
    if (r.exitCode !== 0 || r.timedOut) {
      throw this.failure(r, `check that the directory of ${path} exists and is writable on ${this.target}${owner ? `, and that ${owner} exists there` : ''}`);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const r = await this.run(['sh', '-c', STAT_SCRIPT, 'sh', path], { allowFailure: true });
    if (r.exitCode === NOT_FOUND) return null;
    if (r.exitCode !== 0) throw this.failure(r, `check that ${path} is reachable on ${this.target}`);
    return parseStat(path, r.stdout);
  }

  start(argv: readonly string[], opts: StartOptions = {}): LiveProcess {
    const how = this.transport.startCommand?.(argv, opts);
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
