import type { Executor, FileStat, RunOptions, RunResult, WriteOptions } from './types.ts';
import { CommandError } from '../core/errors.ts';

export interface RecordedCall {
  kind: 'run' | 'read' | 'write' | 'stat';
  argv?: string[];
  path?: string;
  /** For writes: mode and owner asked for. Content is kept in `files`, never in the call log. */
  mode?: number;
  owner?: string;
}

export interface ScriptedResponse {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export type CommandScript = (argv: readonly string[], opts: RunOptions) => ScriptedResponse | undefined;

export interface RecorderFile {
  content: Buffer;
  stat: Omit<FileStat, 'path' | 'size'>;
}

/**
 * An in-memory host for dry runs and tests: commands are answered by scripts (recorded real
 * output), files live in a map, and every call is logged. Unscripted commands exit 127.
 */
export class RecorderExecutor implements Executor {
  readonly target: string;
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, RecorderFile>();
  private readonly scripts: CommandScript[] = [];

  constructor(target = 'recorder') {
    this.target = target;
  }

  /** Answer commands whose argv starts with `prefix` (or matches the predicate). */
  on(match: readonly string[] | ((argv: readonly string[]) => boolean), response: ScriptedResponse): this {
    const test = typeof match === 'function' ? match : (argv: readonly string[]) => match.every((m, i) => argv[i] === m);
    this.scripts.push((argv) => (test(argv) ? response : undefined));
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

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ kind: 'run', argv: [...argv] });
    let resp: ScriptedResponse | undefined;
    for (let i = this.scripts.length - 1; i >= 0 && !resp; i--) resp = this.scripts[i]?.(argv, opts);
    const r = resp ?? { exitCode: 127, stderr: `recorder: no script for ${argv.join(' ')}` };
    const stdout = r.stdout ?? '';
    const result: RunResult = {
      argv: [...argv],
      exitCode: r.exitCode ?? 0,
      signal: null,
      timedOut: false,
      stdout,
      stderr: r.stderr ?? '',
      stdoutBytes: Buffer.from(stdout),
      durationMs: 0,
    };
    if (result.exitCode !== 0 && !opts.allowFailure) {
      throw new CommandError({ ...result, target: this.target });
    }
    return result;
  }

  async readFile(path: string): Promise<Buffer | null> {
    this.calls.push({ kind: 'read', path });
    return this.files.get(path)?.content ?? null;
  }

  async writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    this.calls.push({ kind: 'write', path, mode: opts.mode, ...(opts.owner ? { owner: opts.owner } : {}) });
    this.addFile(path, content, {
      mode: opts.mode,
      ...(opts.owner ? { owner: opts.owner } : {}),
      ...(opts.group ? { group: opts.group } : {}),
    });
  }

  async stat(path: string): Promise<FileStat | null> {
    this.calls.push({ kind: 'stat', path });
    const f = this.files.get(path);
    return f ? { path, size: f.content.length, ...f.stat } : null;
  }

  async close(): Promise<void> {}
}
