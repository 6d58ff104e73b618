/**
 * The plan/apply contract. A resource declares the facts it needs (the same `FactKind`s the checks
 * judge: one reading of the host), plans the changes that take it to the desired state as a pure
 * function of those facts, and applies one planned change. The plan is data: serialisable JSON,
 * printable, saved with `--out` and applied later unchanged.
 */
import type { Executor } from '../exec/types.ts';
import type { FactReader, FactRef } from '../facts/types.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export type ChangeAction = 'add' | 'change' | 'remove';

export interface PlannedChange {
  /** the resource that planned it, e.g. `file:/etc/fail2ban/jail.local`, `ufw:rules`, `user:openclaw-svc` */
  resourceId: string;
  kind: string;
  action: ChangeAction;
  /** one line for the plan view */
  summary: string;
  /** human-readable diff (unified diff for files, +/- lines for rule sets); never holds a secret */
  diff?: string;
  /** everything apply needs, serialisable; never holds a secret value (secrets are generated or read at apply time) */
  data: JsonValue;
}

export interface Noop {
  resourceId: string;
  reason: string;
}

export type PlanOutcome = { changes: PlannedChange[] } | { noop: string };

/** Where apply records before-images so `clawops undo` can restore them. */
export interface Journal {
  /** Save the current bytes, owner and mode of `path` (or that it did not exist) before changing it. */
  saveFile(ex: Executor, path: string): Promise<void>;
  /** Record a non-file step with the argv that undoes it (e.g. `ufw delete allow ...`). */
  saveStep(description: string, undoArgv: string[] | null): Promise<void>;
}

export interface Resource {
  readonly id: string;
  readonly kind: string;
  /** ids of resources that must apply first */
  readonly dependsOn?: readonly string[];
  /** The facts `plan` reads (their raw output is the fingerprint a saved plan is checked against). */
  needs(): readonly FactRef<unknown>[];
  /**
   * Pure: facts in, changes (or a no-op with its reason) out. A needed fact that could not be read
   * is `known()`-ed into a FactUnknownError (src/facts/types.ts): the engine defers the resource when
   * its dependencies change first, and fails the plan with the reason otherwise. Async only for
   * local inputs (the package clawops installs), never for the target.
   */
  plan(f: FactReader): PlanOutcome | Promise<PlanOutcome>;
  /** Perform one planned change; must be safe to re-run after an interruption. */
  apply(ex: Executor, change: PlannedChange, journal: Journal): Promise<void>;
  /**
   * Optional: once all changes of this apply are made, wait until what they changed took effect
   * (e.g. the gateway answers health with the new token and config). The engine calls it once per
   * `settleKey` (default: the resource id) among the resources that applied a change; returns a
   * one-line outcome for the progress output. A throw fails the apply, with its message as cause.
   */
  settle?(ex: Executor, journal: Journal): Promise<string>;
  readonly settleKey?: string;
}

/* ---- additions (engine): the saved plan, the area registry, plan-time validation ---- */

export const PLAN_SCHEMA_VERSION = 1;

/** One resource in a plan: its fingerprint (hash of the state read) and its changes or the no-op reason. */
export interface ResourcePlan {
  id: string;
  kind: string;
  dependsOn: string[];
  /** `sha256:...` of the raw facts it needs; a saved plan is refused when a re-read gives another value */
  fingerprint: string;
  changes: PlannedChange[];
  /** why nothing changes (set when `changes` is empty) */
  noop?: string;
  /**
   * Set when the resource cannot be read before its dependencies apply (its tool is installed by
   * them): apply reads and plans it when its turn comes ("known after apply"). Fingerprint `deferred`.
   */
  deferred?: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
}

/** The plan is data: `clawops plan --out plan.json` writes it, `clawops apply plan.json` reads it. */
export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  target: string;
  /** `sha256:...` of the resolved spec the plan was made from */
  specHash: string;
  specSource: string;
  createdAt: string;
  clawopsVersion: string;
  /** in apply order (dependencies first) */
  resources: ResourcePlan[];
  summary: PlanSummary;
}

/** A problem found at plan time, named by its spec path (e.g. `instances[1].port`). */
export interface PlanProblem {
  path: string;
  message: string;
}

/** Optional progress reporting for long steps (apt, restarts). Journals handed to `apply` implement it. */
export interface ProgressJournal extends Journal {
  progress(message: string): void;
}
