/**
 * Executor recordings: what a host answered, saved as JSON and replayed later without the host.
 * `RecordingExecutor` wraps a real executor and records; `replayExecutor` answers from a recording
 * (a RecorderExecutor, so writes land in memory and every call is logged).
 *
 * File format (kind "clawops-exec-recording", schemaVersion 1):
 *   {
 *     "kind": "clawops-exec-recording", "schemaVersion": 1,
 *     "target": "ssh://root@host:22", "recordedAt": "2026-01-01T00:00:00.000Z",
 *     "commands": {                       // key: commandKey(argv, user) — shell-quoted argv joined
 *       "systemctl is-active ssh": { "exitCode": 0, "stdout": "active\n", "stderr": "" },
 *       "@svc openclaw --version": { "exitCode": 0, "stdout": "2026.9.6\n", "stderr": "" }  // run as user svc
 *     },
 *     "files": {                          // null: known to be absent
 *       "/etc/hostname": { "content": "vps1\n", "stat": { "type": "file", "mode": 420, "uid": 0, "gid": 0,
 *                          "owner": "root", "group": "root", "size": 5, "mtimeMs": 1700000000000 } },
 *       "/bin/ls": { "base64": "f0VMRg...", "stat": { ... } },   // non-UTF-8 content
 *       "/etc/shadow": { "stat": { ... } },                      // only stat()ed, never read
 *       "/etc/nope": null
 *     }
 *   }
 * Everything recorded passes through redactValue (registered secrets become [REDACTED]).
 * A command's stdin, cwd, env and timeout are not part of its key; the last answer recorded wins.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { ClawopsError, CommandError, shellQuote } from '../../../src/core/errors.ts';
import { redact, redactValue } from '../../../src/core/redact.ts';
import { RecorderExecutor } from './recorder.ts';
import type { Executor, FileStat, RunOptions, RunResult, WriteOptions } from '../../../src/exec/types.ts';

export interface RecordedCommand {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  signal?: string;
  timedOut?: boolean;
}
export type RecordedStat = Omit<FileStat, 'path'>;
export type RecordedFile = { content?: string; base64?: string; stat?: RecordedStat } | null;

export interface ExecRecording {
  kind: 'clawops-exec-recording';
  schemaVersion: 1;
  target: string;
  recordedAt: string;
  commands: Record<string, RecordedCommand>;
  files: Record<string, RecordedFile>;
}

export function commandKey(argv: readonly string[], user?: string): string {
  return `${user ? `@${user} ` : ''}${argv.map(shellQuote).join(' ')}`;
}

/** Wraps a real executor and records every answer; `recording()` returns the file's content. */
export class RecordingExecutor implements Executor {
  private readonly inner: Executor;
  private readonly commands: Record<string, RecordedCommand> = {};
  private readonly files: Record<string, RecordedFile> = {};
  constructor(inner: Executor) {
    this.inner = inner;
  }
  get target(): string {
    return this.inner.target;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const r = await this.inner.run(argv, { ...opts, allowFailure: true });
    this.commands[commandKey(argv, opts.user)] = {
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.timedOut ? { timedOut: true } : {}),
    };
    if ((r.exitCode !== 0 || r.timedOut) && !opts.allowFailure) {
      const { stdoutBytes: _b, ...failure } = r;
      throw new CommandError({ ...failure, target: this.target }, { secrets: opts.secrets ?? [] });
    }
    return r;
  }

  async readFile(path: string): Promise<Buffer | null> {
    const b = await this.inner.readFile(path);
    const prev = this.files[path];
    if (b === null) this.files[path] = null;
    else {
      const text = b.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(b);
      this.files[path] = { ...(prev ?? {}), ...(utf8 ? { content: text } : { base64: b.toString('base64') }) };
    }
    return b;
  }

  async stat(path: string): Promise<FileStat | null> {
    const s = await this.inner.stat(path);
    if (s === null) this.files[path] = null;
    else {
      const { path: _p, ...stat } = s;
      this.files[path] = { ...(this.files[path] ?? {}), stat };
    }
    return s;
  }

  /** Writes go through to the real host; they are not part of the recording. */
  writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    return this.inner.writeFile(path, content, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  recording(now = new Date()): ExecRecording {
    return redactValue({
      kind: 'clawops-exec-recording',
      schemaVersion: 1,
      target: this.target,
      recordedAt: now.toISOString(),
      commands: Object.fromEntries(Object.entries(this.commands).map(([k, v]) => [redact(k), v])),
      files: Object.fromEntries(Object.entries(this.files).map(([k, v]) => [redact(k), v])),
    });
  }

  async save(file: string): Promise<void> {
    await writeFile(file, `${JSON.stringify(this.recording(), null, 2)}\n`, { mode: 0o600 });
  }
}

/** A RecorderExecutor that answers from a recording (unrecorded commands exit 127). */
export function replayExecutor(rec: ExecRecording, target = `replay:${rec.target}`): RecorderExecutor {
  const ex = new RecorderExecutor(target);
  ex.script((argv, opts) => {
    const c = rec.commands[commandKey(argv, opts.user)];
    if (!c) return undefined;
    return { exitCode: c.exitCode ?? undefined, stdout: c.stdout, stderr: c.stderr, ...(c.signal ? { signal: c.signal } : {}), ...(c.timedOut ? { timedOut: true } : {}) };
  });
  for (const [path, f] of Object.entries(rec.files)) {
    if (f === null) continue;
    const content = f.base64 !== undefined ? Buffer.from(f.base64, 'base64') : Buffer.from(f.content ?? '');
    const { size, ...stat } = f.stat ?? { type: 'file' as const, mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', mtimeMs: 0, size: content.length };
    ex.files.set(path, { content, stat, ...(f.content === undefined && f.base64 === undefined ? { unread: true, size } : {}) });
  }
  return ex;
}

export async function loadRecording(file: string): Promise<ExecRecording> {
  let rec: ExecRecording;
  try {
    rec = JSON.parse(await readFile(file, 'utf8')) as ExecRecording;
  } catch (cause) {
    throw new ClawopsError(`cannot read executor recording ${file}: ${(cause as Error).message.split('\n')[0]}`, { cause, hint: 'record one with RecordingExecutor.save()' });
  }
  if (rec?.kind !== 'clawops-exec-recording' || rec.schemaVersion !== 1 || typeof rec.commands !== 'object' || typeof rec.files !== 'object') {
    throw new ClawopsError(`${file} is not a clawops executor recording (schemaVersion 1)`, { hint: 'record one with RecordingExecutor.save()' });
  }
  return rec;
}
