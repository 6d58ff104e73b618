import type { Executor, FileStat, RunOptions, RunResult, WriteOptions } from '../../../src/exec/types.ts';
import { ClawopsError, CommandError } from '../../../src/core/errors.ts';
import { SAFE_FS_SCRIPT, SAFE_NOT_FOUND } from '../../../src/core/safe-fs.ts';

export interface RecordedCall {
  kind: 'run' | 'read' | 'write' | 'stat';
  argv?: string[];
  path?: string;
  /** For writes: mode and owner asked for. Content is kept in `files`, never in the call log. */
  mode?: number;
  owner?: string;
  group?: string;
  /** For runs: the options that change what runs (stdin only as its length: it may hold a secret). */
  user?: string;
  cwd?: string;
  stdinBytes?: number;
  timeoutMs?: number;
}

export interface ScriptedResponse {
  exitCode?: number;
  stdout?: string | Buffer;
  stderr?: string;
  signal?: string;
  timedOut?: boolean;
}

export type CommandScript = (argv: readonly string[], opts: RunOptions) => ScriptedResponse | undefined;
export type Matcher = readonly string[] | ((argv: readonly string[], opts: RunOptions) => boolean);

export interface RecorderFile {
  content: Buffer;
  stat: Omit<FileStat, 'path' | 'size'>;
  /** Only the stat is known (a replayed recording that never read the file): reading it is an error. */
  unread?: boolean;
  /** The recorded size when it differs from `content` (unread files). */
  size?: number;
}

/**
 * An in-memory host for dry runs and tests: commands are answered by scripts (recorded real
 * output), files live in a map, and every call is logged. Later scripts win over earlier ones;
 * unscripted commands exit 127 ("recorder: no script for ..."). A non-zero answer throws a
 * CommandError unless the call says allowFailure, exactly like the real executors.
 *
 *   const ex = new RecorderExecutor()
 *     .on(['ufw', 'status'], { stdout: fixture('ufw-status.txt') })   // argv prefix
 *     .on((argv) => argv.includes('--json'), { stdout: '{}' })         // predicate
 *     .on(['systemctl', 'restart'], { exitCode: 1, stderr: 'boom' }, { times: 1 }) // then falls through
 *     .addFile('/etc/ssh/sshd_config', 'PermitRootLogin no\n', { mode: 0o600 });
 *   ... ex.commands()  ex.writes()  ex.text('/etc/x')  ex.calls
 */
export class RecorderExecutor implements Executor {
  readonly target: string;
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, RecorderFile>();
  private readonly scripts: CommandScript[] = [];

  constructor(target = 'recorder') {
    this.target = target;
  }

  /** Answer commands whose argv starts with `match` (or that the predicate accepts); `times` limits how often. */
  on(
    match: Matcher,
    response: ScriptedResponse | ((argv: readonly string[], opts: RunOptions) => ScriptedResponse),
    opts: { times?: number } = {},
  ): this {
    const test = typeof match === 'function' ? match : (argv: readonly string[]) => match.every((m, i) => argv[i] === m);
    let left = opts.times ?? Infinity;
    this.scripts.push((argv, o) => {
      if (left <= 0 || !test(argv, o)) return undefined;
      left--;
      return typeof response === 'function' ? response(argv, o) : response;
    });
    return this;
  }

  script(fn: CommandScript): this {
    this.scripts.push(fn);
    return this;
  }

  addFile(path: string, content: string | Buffer, stat: Partial<RecorderFile['stat']> = {}): this {
    this.files.set(path, {
      content: Buffer.from(content),
      stat: { type: 'file', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', mtimeMs: Date.now(), ...stat },
    });
    return this;
  }

  addDir(path: string, stat: Partial<RecorderFile['stat']> = {}): this {
    return this.addFile(path, '', { type: 'directory', mode: 0o755, ...stat });
  }

  /** argv of every run, in order. */
  commands(): string[][] {
    return this.calls.filter((c) => c.kind === 'run').map((c) => c.argv ?? []);
  }

  /** Paths written, in order. */
  writes(): string[] {
    return this.calls.filter((c) => c.kind === 'write').map((c) => c.path ?? '');
  }

  /** A file's current content as text (undefined when absent). */
  text(path: string): string | undefined {
    return this.files.get(path)?.content.toString('utf8');
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({
      kind: 'run',
      argv: [...argv],
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.stdin !== undefined ? { stdinBytes: Buffer.byteLength(opts.stdin) } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    let resp: ScriptedResponse | undefined = this.safeFs(argv, opts);
    for (let i = this.scripts.length - 1; i >= 0 && !resp; i--) resp = this.scripts[i]?.(argv, opts);
    const r = resp ?? { exitCode: 127, stderr: `recorder: no script for ${argv.join(' ')}` };
    const stdoutBytes = Buffer.from(r.stdout ?? '');
    const result: RunResult = {
      argv: [...argv],
      exitCode: r.signal || r.timedOut ? (r.exitCode ?? null) : (r.exitCode ?? 0),
      signal: r.signal ?? null,
      timedOut: r.timedOut ?? false,
      stdout: stdoutBytes.toString('utf8'),
      stderr: r.stderr ?? '',
      stdoutBytes,
      durationMs: 0,
    };
    if ((result.exitCode !== 0 || result.timedOut) && !opts.allowFailure) {
      const { stdoutBytes: _b, ...failure } = result;
      throw new CommandError({ ...failure, target: this.target }, { secrets: opts.secrets ?? [] });
    }
    return result;
  }

  /** The no-follow file primitive (src/core/safe-fs.ts) acts on this host's files, as on a real one. */
  private safeFs(argv: readonly string[], opts: RunOptions): ScriptedResponse | undefined {
    if (argv[0] !== 'perl' || argv[1] !== '-e' || argv[2] !== SAFE_FS_SCRIPT || argv[3] !== '--') return undefined;
    const [op = '', path = '', a = '', b = '', c = ''] = argv.slice(4);
    const f = this.files.get(path);
    const missing = { exitCode: SAFE_NOT_FOUND, stderr: `safe-fs: ${path}: no such file or directory` };
    switch (op) {
      case 'read':
        return f ? { stdout: f.content } : missing;
      case 'write':
        this.addFile(path, Buffer.from(opts.stdin ?? ''), { mode: parseInt(a, 8), ...(b ? { owner: b } : {}), ...(c ? { group: c } : {}) });
        return {};
      case 'chmod':
        if (!f) return missing;
        f.stat.mode = parseInt(a, 8);
        return {};
      case 'chown':
        if (!f) return missing;
        if (a) f.stat.owner = a;
        if (b) f.stat.group = b;
        return {};
      case 'mkdir':
        if (!f) this.addDir(path, { mode: parseInt(a, 8), ...(b ? { owner: b } : {}), ...(c ? { group: c } : {}) });
        return {};
      case 'remove':
        this.files.delete(path);
        return {};
      default:
        return undefined;
    }
  }

  async readFile(path: string): Promise<Buffer | null> {
    this.calls.push({ kind: 'read', path });
    const f = this.files.get(path);
    if (f?.unread) throw new ClawopsError(`${path} on ${this.target}: only its stat was recorded`, { hint: 'record the facts again with a clawops version that reads this file' });
    return f?.content ?? null;
  }

  async writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    this.calls.push({
      kind: 'write',
      path,
      mode: opts.mode,
      ...(opts.owner ? { owner: opts.owner } : {}),
      ...(opts.group ? { group: opts.group } : {}),
    });
    this.addFile(path, content, {
      mode: opts.mode,
      ...(opts.owner ? { owner: opts.owner } : {}),
      ...(opts.group ? { group: opts.group } : {}),
    });
  }

  async stat(path: string): Promise<FileStat | null> {
    this.calls.push({ kind: 'stat', path });
    const f = this.files.get(path);
    return f ? { path, size: f.size ?? f.content.length, ...f.stat } : null;
  }

  async close(): Promise<void> {}
}
