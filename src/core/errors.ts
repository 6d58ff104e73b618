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
  /** argv as run, secrets already redacted */
  argv: string[];
  target: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A command that failed on a target: carries argv (redacted), exit code, signal, stderr and cause (execa-style). */
export class CommandError extends ClawopsError {
  readonly failure: CommandFailure;
  constructor(failure: CommandFailure, opts: { hint?: string; cause?: unknown } = {}) {
    super(commandErrorMessage(failure), { ...opts });
    this.name = 'CommandError';
    this.failure = failure;
  }
}

export function commandErrorMessage(f: CommandFailure): string {
  const cmd = redact(f.argv.map(shellQuote).join(' '));
  const how = f.timedOut
    ? `timed out after ${f.durationMs} ms`
    : f.signal
      ? `was killed by ${f.signal}`
      : `exited with code ${f.exitCode}`;
  const lastLine = redact(f.stderr.trim().split('\n').filter(Boolean).pop() ?? '');
  return `command \`${truncate(cmd, 160)}\` on ${f.target} ${how}${lastLine ? `: ${truncate(lastLine, 200)}` : ''}`;
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
