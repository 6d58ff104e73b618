import { CommandError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import {
  DEFAULT_TIMEOUT_MS,
  type Executor,
  type FileStat,
  type FileType,
  type RunOptions,
  type RunResult,
  type Transport,
  type WriteOptions,
} from './types.ts';

const NOT_FOUND = 3;

// Atomic write on the target: a 0600 temp file beside the destination, owner and mode set
// before the rename, fsync of file and directory. Content arrives on stdin, never in argv.
const WRITE_SCRIPT = `set -eu
p=$1; mode=$2; owner=$3
d=$(dirname -- "$p"); b=$(basename -- "$p")
t=$(mktemp "$d/.$b.clawops-XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
if [ -n "$owner" ]; then chown -- "$owner" "$t"; fi
chmod -- "$mode" "$t"
sync -- "$t" 2>/dev/null || true
mv -f -- "$t" "$p"
trap - EXIT
sync -- "$d" 2>/dev/null || true`;

const READ_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec cat -- "$1"`;
const STAT_SCRIPT = `[ -e "$1" ] || [ -L "$1" ] || exit ${NOT_FOUND}; exec stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$1"`;

/** Builds the Executor contract (timeouts, errors, redaction, file ops) once, on any transport. */
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
    let raw;
    try {
      raw = await this.transport.spawn(argv, {
        ...(stdin ? { stdin } : {}),
        env: opts.env ?? {},
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.user ? { user: opts.user } : {}),
      });
    } catch (cause) {
      throw new CommandError(
        {
          argv: argv.map((a) => redact(a, opts.secrets)),
          target: this.target,
          exitCode: null,
          signal: null,
          timedOut: false,
          stdout: '',
          stderr: cause instanceof Error ? cause.message : String(cause),
          durationMs: 0,
        },
        { cause, hint: `check that ${argv[0]} is installed on ${this.target}` },
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
    if ((result.exitCode !== 0 || result.timedOut) && !opts.allowFailure) {
      throw new CommandError({
        argv: argv.map((a) => redact(a, opts.secrets)),
        target: this.target,
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        stdout: redact(result.stdout, opts.secrets),
        stderr: redact(result.stderr, opts.secrets),
        durationMs: result.durationMs,
      });
    }
    return result;
  }

  async readFile(path: string): Promise<Buffer | null> {
    const r = await this.run(['sh', '-c', READ_SCRIPT, 'sh', path], { allowFailure: true });
    if (r.exitCode === NOT_FOUND) return null;
    if (r.exitCode !== 0) throw this.failure(r, `cannot read ${path}`);
    return r.stdoutBytes;
  }

  async writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
    const mode = opts.mode.toString(8).padStart(4, '0');
    await this.run(['sh', '-c', WRITE_SCRIPT, 'sh', path, mode, owner], { stdin: content });
  }

  async stat(path: string): Promise<FileStat | null> {
    const r = await this.run(['sh', '-c', STAT_SCRIPT, 'sh', path], { allowFailure: true });
    if (r.exitCode === NOT_FOUND) return null;
    if (r.exitCode !== 0) throw this.failure(r, `cannot stat ${path}`);
    return parseStat(path, r.stdout);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private failure(r: RunResult, what: string): CommandError {
    return new CommandError(
      {
        argv: r.argv,
        target: this.target,
        exitCode: r.exitCode,
        signal: r.signal,
        timedOut: r.timedOut,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: r.durationMs,
      },
      { hint: what },
    );
  }
}

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
