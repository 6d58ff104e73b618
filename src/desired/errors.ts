/** Spec problems and the error that lists them (light: no parser, no schema). */
import { ClawopsError } from '../core/errors.ts';
import type { ResolvedSpec } from './resolve.ts';

export interface SpecProblem {
  /** dotted path into the spec, e.g. `gateway.port` or `instances[1].port`; `(root)` for the top */
  path: string;
  message: string;
  /** 1-based line in the file, when known */
  line?: number;
}

export type SpecResult = { ok: true; spec: ResolvedSpec; source: string } | { ok: false; problems: SpecProblem[]; source: string };

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

export class SpecError extends ClawopsError {
  readonly problems: SpecProblem[];
  constructor(source: string, problems: SpecProblem[]) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}`,
      { hint: `fix the spec and run \`clawops spec validate -f ${source}\`` },
    );
    this.name = 'SpecError';
    this.problems = problems;
  }
}
