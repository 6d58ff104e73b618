/** Spec problems and the error that lists them (light: no parser, no schema). */
import { ClawopsError } from '../core/errors.ts';
import type { ResolvedSpec } from './resolve.ts';

export interface SpecProblem {
  /** dotted path into the spec, e.g. `gateway.port` or `instances[1].port`; `(root)` for the top */
  path: string;
  message: string;
  /** 1-based line in the file, when known */
  line?: number;
  /** set on the last entry of a capped list: it stands for this many problems not listed */
  more?: number;
}

/** How many problems a (capped) list stands for. */
export function problemCount(problems: readonly SpecProblem[]): number {
  return problems.reduce((n, p) => n + (p.more ?? 1), 0);
}

export type SpecResult =
  /** warnings: things the operator should know that do not make the spec invalid (e.g. an empty file) */
  | { ok: true; spec: ResolvedSpec; source: string; warnings?: string[] }
  | { ok: false; problems: SpecProblem[]; source: string };

/** problems quoted in the one-line message; every one is listed below it (see cli reportError) */
const IN_MESSAGE = 3;

const PLAIN_KEY = /^[\w@/:+-][\w@/:.+-]*$/;

/** `instances[1].port`; a key that is long or holds odd characters is quoted: `docker.daemon["a\nb"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const key = String(p);
      if (PLAIN_KEY.test(key) && key.length <= 60) return `${i === 0 ? '' : '.'}${key}`;
      // JSON.stringify leaves U+2028/U+2029 raw: they would break the message's line like a newline
      const q = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
      return `[${q}]`;
    })
    .join('');
}

export class SpecError extends ClawopsError {
  readonly problems: SpecProblem[];
  constructor(source: string, problems: SpecProblem[]) {
    const shown = problems.slice(0, IN_MESSAGE).map((p) => `${p.path}: ${p.message}`);
    if (problems.length > IN_MESSAGE) shown.push('…');
    const n = problemCount(problems);
    super(
      `${source}: ${n} problem${n === 1 ? '' : 's'}: ${shown.join('; ')}`,
      { hint: `fix the spec and run \`clawops spec validate -f ${source}\`` },
    );
    this.name = 'SpecError';
    this.problems = problems;
  }
}
