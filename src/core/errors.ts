import { redact } from './redact.ts';

/**
 * The one error type clawops raises for things an operator can act on. `message` is one line
 * that says what went wrong; `hint` says what to do next. `cause` keeps the chain (shown with --debug).
 */
export class ClawopsError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ClawopsError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

export interface CommandFailure {
  /** argv as run (redacted again by CommandError) */
  argv: string[];
  target: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed for printing more than the output limit. */
  outputLimitExceeded?: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CommandErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Values to redact besides the registered secrets (a call's `secrets`). */
  secrets?: readonly string[];
}

const KEEP_OUTPUT = 64 * 1024;

/**
 * A command that failed on a target (execa's final-error style): one-line message, and the
 * argv, exit code, signal, timeout flag, stdout/stderr (tails), duration and cause as data.
 * Everything it holds is redacted on construction (registered secrets and `opts.secrets`),
 * including the cause chain, which is replaced by a redacted copy.
 */
export class CommandError extends ClawopsError {
  readonly failure: CommandFailure;
  constructor(failure: CommandFailure, opts: CommandErrorOptions = {}) {
    const extra = opts.secrets ?? [];
    const f: CommandFailure = {
      ...failure,
      argv: failure.argv.map((a) => redact(a, extra)),
      stdout: redact(tail(failure.stdout), extra),
      stderr: redact(tail(failure.stderr), extra),
    };
    const hint = opts.hint ?? defaultHint(f);
    super(commandErrorMessage(f), {
      ...(hint ? { hint: redact(hint, extra) } : {}),
      ...(opts.cause === undefined ? {} : { cause: redactedError(opts.cause, extra) }),
    });
    this.name = 'CommandError';
    this.failure = f;
  }
  get argv(): string[] {
    return this.failure.argv;
  }
  get stderr(): string {
    return this.failure.stderr;
  }
  get signal(): string | null {
    return this.failure.signal;
  }
  get timedOut(): boolean {
    return this.failure.timedOut;
  }
  get durationMs(): number {
    return this.failure.durationMs;
  }
  /** The command's exit code (null when killed); `exitCode` is clawops' own exit code. */
  get commandExitCode(): number | null {
    return this.failure.exitCode;
  }
}

function defaultHint(f: CommandFailure): string | undefined {
  const prog = f.argv[0] ?? 'the program';
  if (f.outputLimitExceeded) return `${prog} printed more output than allowed; narrow the command or raise maxOutputBytes`;
  if (f.timedOut) return `${prog} did not finish in time on ${f.target}; check what it waits for, or raise its timeout`;
  if (f.exitCode === 127) return `check that ${prog} is installed and on PATH on ${f.target}`;
  if (f.exitCode === 126) return `check that ${prog} is executable on ${f.target}`;
  return undefined;
}

export function commandErrorMessage(f: CommandFailure): string {
  const cmd = redact(f.argv.map(shellQuote).join(' '));
  const how = f.outputLimitExceeded
    ? `was killed for printing too much output after ${f.durationMs} ms`
    : f.timedOut
      ? `timed out after ${f.durationMs} ms`
      : f.signal
        ? `was killed by ${f.signal}`
        : f.exitCode === null
          ? 'could not be started'
          : `exited with code ${f.exitCode}`;
  const lastLine = redact(f.stderr.trim().split('\n').filter(Boolean).pop() ?? '');
  return oneLine(`command \`${truncate(cmd, 160)}\` on ${f.target} ${how}${lastLine ? `: ${truncate(lastLine, 200)}` : ''}`);
}

/** A copy of an error (and its cause chain) with secrets redacted and argv-bearing fields dropped. */
export function redactedError(err: unknown, extra: readonly string[] = [], depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redact(err, extra) : err;
  // clawops' own errors were redacted when built; keep them (type, hint) unless a per-call secret shows
  if (err instanceof ClawopsError && redact(err.message, extra) === err.message) return err;
  const copy = new Error(redact(err.message, extra));
  copy.name = err.name;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined) (copy as NodeJS.ErrnoException).code = code;
  if (err.stack) copy.stack = redact(err.stack, extra);
  if (err.cause !== undefined && depth < 10) copy.cause = redactedError(err.cause, extra, depth + 1);
  return copy;
}

function tail(s: string): string {
  return s.length > KEEP_OUTPUT ? `…${s.slice(-KEEP_OUTPUT)}` : s;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

export function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Cause chain as lines, for --debug. */
export function causeChain(err: unknown): string[] {
  const lines: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    if (cur instanceof Error) {
      lines.push(redact(`${cur.name}: ${cur.message}`));
      if (cur instanceof CommandError && cur.failure.stderr.trim()) {
        lines.push(...redact(cur.failure.stderr.trim()).split('\n').slice(-20).map((l) => `    stderr| ${l}`));
      }
      cur = cur.cause;
    } else {
      lines.push(redact(String(cur)));
      break;
    }
  }
  return lines;
}
