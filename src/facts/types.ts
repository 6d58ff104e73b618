/**
 * Facts: a probe over an executor returns raw output (kept verbatim, JSON-serialisable, so
 * `clawops facts --out FILE` can record it and `clawops check --facts FILE` can evaluate
 * offline) and a pure parser turns raw into a value. A fact that cannot be read is
 * `{ unknown: reason }`, never an exception.
 */
import type { Executor } from '../exec/types.ts';

/** What one probe saw. Secrets are replaced by descriptors before a raw value is kept (see secrets.ts). */
export type Raw =
  | { t: 'cmd'; exitCode: number | null; stdout: string; stderr: string; timedOut: boolean; durationMs: number }
  | { t: 'file'; content: string | null; durationMs: number }
  | { t: 'error'; message: string; durationMs: number };

export interface Unknown {
  unknown: string;
}

export type FactValue<T> = T | Unknown;

export function isUnknown(v: unknown): v is Unknown {
  return typeof v === 'object' && v !== null && 'unknown' in v && typeof (v as Unknown).unknown === 'string';
}

export function unknown(reason: string): Unknown {
  return { unknown: reason };
}

/** A kind of fact, parameterised by one string argument (a path, a unit name, a port...). */
export interface FactKind<T> {
  readonly kind: string;
  /** one line for `clawops facts` */
  readonly describe: string;
  /** true when the probe spawns the openclaw CLI (never allowed in the health profile) */
  readonly spawnsOpenclaw?: boolean;
  /** probe one argument */
  probe?(ex: Executor, arg: string): Promise<Raw>;
  /** probe several arguments in one command (preferred when present) */
  probeMany?(ex: Executor, args: readonly string[]): Promise<Map<string, Raw>>;
  /** pure: raw in, value or unknown out; never throws */
  parse(raw: Raw, arg: string): FactValue<T>;
}

/** A typed handle on one fact: kind + argument. `key` identifies it in a run and in a facts file. */
export interface FactRef<T> {
  readonly kind: FactKind<T>;
  readonly arg: string;
  readonly key: string;
}

export function ref<T>(kind: FactKind<T>, arg = ''): FactRef<T> {
  return { kind, arg, key: arg ? `${kind.kind}:${arg}` : kind.kind };
}

/** Read access to the facts of one run. */
export interface FactReader {
  get<T>(r: FactRef<T>): FactValue<T>;
  /** probe duration of a fact in ms (0 when read from a facts file) */
  durationMs(r: FactRef<unknown>): number;
}

export function rawDuration(raw: Raw | undefined): number {
  return raw ? raw.durationMs : 0;
}

/** A fact a plan needs could not be read: the engine defers the resource or reports the reason. */
export class FactUnknownError extends Error {
  /** the fact's key (empty when a check derives the unknown from a fact it read) */
  readonly key: string;
  constructor(reason: string, key = '') {
    super(reason);
    this.name = 'FactUnknownError';
    this.key = key;
  }
}

/** The value of a fact a plan cannot do without; throws FactUnknownError with the probe's reason. */
export function known<T>(f: FactReader, r: FactRef<T>): T {
  const v = f.get(r);
  if (isUnknown(v)) throw new FactUnknownError(v.unknown, r.key);
  return v;
}
