/** Helpers for probes: run a command or read a file through the executor, never throwing. */
import type { Executor } from '../exec/types.ts';
import { ClawopsError } from '../core/errors.ts';
import { type FactKind, type FactRef, type FactValue, isUnknown, type Raw, unknown } from './types.ts';

export const PROBE_TIMEOUT_MS = 15_000;
/** exit code our probe scripts use for "the program is not installed" */
export const NOT_INSTALLED = 127;

export async function runRaw(ex: Executor, argv: readonly string[], timeoutMs = PROBE_TIMEOUT_MS, opts: { user?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Raw> {
  const started = Date.now();
  try {
    const r = await ex.run(argv, { allowFailure: true, timeoutMs, ...opts });
    return { t: 'cmd', exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut, durationMs: r.durationMs };
  } catch (err) {
    return { t: 'error', message: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started };
  }
}

/** `sh -c SCRIPT sh ARGS...` */
export function sh(ex: Executor, script: string, args: readonly string[] = [], timeoutMs = PROBE_TIMEOUT_MS): Promise<Raw> {
  return runRaw(ex, ['sh', '-c', script, 'sh', ...args], timeoutMs);
}

/** Run `prog args...` only when `prog` is installed; exit 127 otherwise. */
export function ifInstalled(ex: Executor, prog: string, argv: readonly string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<Raw> {
  return sh(ex, `command -v "$1" >/dev/null 2>&1 || { echo "$1: not installed" >&2; exit ${NOT_INSTALLED}; }; shift; exec "$@"`, [prog, ...argv], timeoutMs);
}

export async function readRaw(ex: Executor, path: string): Promise<Raw> {
  const started = Date.now();
  try {
    const b = await ex.readFile(path);
    return { t: 'file', content: b === null ? null : b.toString('utf8'), durationMs: Date.now() - started };
  } catch (err) {
    return { t: 'error', message: err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err), durationMs: Date.now() - started };
  }
}

/**
 * Common failure modes of a command raw, as unknown; undefined when the command ran (any exit
 * code: the parser decides what a non-zero exit means).
 */
export function cmdProblem(raw: Raw, what: string): FactValue<never> | undefined {
  if (raw.t === 'error') return unknown(`${what}: ${raw.message}`);
  if (raw.t !== 'cmd') return unknown(`${what}: unexpected raw of type ${raw.t}`);
  if (raw.timedOut) return unknown(`${what}: timed out after ${Math.round(raw.durationMs / 1000)} s`);
  if (raw.exitCode === NOT_INSTALLED) return unknown(`${what}: ${firstLine(raw.stderr) || 'not installed'}`);
  return undefined;
}

export function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

export function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

/** File content or unknown/missing. */
export function fileContent(raw: Raw, what: string): { content: string | null } | FactValue<never> {
  if (raw.t === 'error') return unknown(`${what}: ${raw.message}`);
  if (raw.t !== 'file') return unknown(`${what}: unexpected raw of type ${raw.t}`);
  return { content: raw.content };
}

/**
 * A fact kind whose probe is one fixed `sh` script (arguments as positional parameters, split from
 * the fact's argument on newlines) and whose parser takes the stdout of a run that exited 0.
 * Any other outcome is unknown with the reason: a resource planning from it defers or fails.
 */
export function scriptFact<T>(o: {
  kind: string;
  describe: string;
  script: string;
  parse(stdout: string, arg: string): FactValue<T>;
  timeoutMs?: number;
}): FactKind<T> {
  return {
    kind: o.kind,
    describe: o.describe,
    probe: (ex, arg) => sh(ex, o.script, arg === '' ? [] : arg.split('\n'), o.timeoutMs),
    parse(raw, arg) {
      const what = `${o.kind}${arg ? ` ${arg.replaceAll('\n', ' ')}` : ''}`;
      const p = cmdProblem(raw, what);
      if (p) return p;
      if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`${what}: ${raw.t === 'cmd' ? firstLine(raw.stderr) || `exit ${raw.exitCode}` : ''}`);
      return o.parse(raw.stdout, arg);
    },
  };
}

/** Probe and parse one fact now (apply-time re-reads); throws a ClawopsError when it is unknown. */
export async function readFact<T>(ex: Executor, r: FactRef<T>): Promise<T> {
  const raw = r.kind.probe ? await r.kind.probe(ex, r.arg) : (await r.kind.probeMany!(ex, [r.arg])).get(r.arg);
  const v = raw ? r.kind.parse(raw, r.arg) : unknown('no output');
  if (isUnknown(v)) throw new ClawopsError(`cannot read ${r.key} on ${ex.target}: ${v.unknown}`, { hint: 'check that the target is reachable and that clawops runs as root there' });
  return v;
}
