import { ClawopsError } from '../core/errors.ts';
import { SpecError } from '../desired/errors.ts';
import type { PlanProblem } from './types.ts';

/** Thrown by a resource's `plan` when the spec asks for something impossible on this target. */
export class PlanProblemError extends ClawopsError {
  readonly path: string;
  constructor(path: string, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(`${path}: ${message}`, opts);
    this.name = 'PlanProblemError';
    this.path = path;
  }
}

/** Every plan-time problem at once, each with its spec path; nothing was changed. */
export class PlanProblemsError extends SpecError {
  constructor(source: string, target: string, problems: PlanProblem[]) {
    super(`${source} on ${target}`, problems);
    this.name = 'PlanProblemsError';
    Object.defineProperty(this, 'hint', {
      value: `nothing was changed; fix these spec keys (or free what they collide with on ${target}) and plan again`,
    });
  }
}
