/**
 * Performing a plan: take the target's lock, open a journal, apply every change in plan order
 * (dependencies first), and record how it ended. Each resource journals its before-images before
 * it changes anything, so `clawops undo` can restore them even after an interrupted apply.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import { armDuringFault, faultPoint } from './fault.ts';
import { pruneJournals, TargetJournal } from './journal.ts';
import { acquireLock } from '../core/lock.ts';
import { planOne, readFacts, unreadable } from './plan.ts';
import type { Journal, PlannedChange, Plan, Resource } from './types.ts';

export interface ApplyOptions {
  stateDir: string;
  /** progress lines for the operator (stderr in the CLI) */
  progress?: (line: string) => void;
  /** environment read for the test-only fault points */
  env?: NodeJS.ProcessEnv;
  command?: string;
  /** journals older than this are removed at the start (the newest is always kept); default 30 */
  journalRetentionDays?: number;
  /** once every change is made and settled: what follows the host's new state (the areas' afterApply); lines for the output */
  after?: AfterApply;
}

/** What an apply did, for what follows it. */
export interface ApplyDone {
  /** resources that applied a change */
  changedIds: readonly string[];
  /** files the journal saved before-images of */
  savedPaths: readonly string[];
}
/** journal: the apply's (undefined after an undo, which has none of its own) */
export type AfterApply = (ex: Executor, journal: Journal | undefined, done: ApplyDone) => Promise<string[]>;

export interface AppliedStep {
  resourceId: string;
  summary: string;
  durationMs: number;
}

export interface ApplyResult {
  journalId: string | null;
  steps: AppliedStep[];
  durationMs: number;
}

const LONG_STEP_MS = 1000;

/**
 * Each distinct settle step of the resources that changed, once, in apply order. A failure is a
 * failed apply: every change is made, so the hint points at the cause, a re-run, or undo.
 */
export async function settleAll(changed: readonly Resource[], ex: Executor, journal: Journal & { readonly id: string }, say: (l: string) => void): Promise<AppliedStep[]> {
  const byKey = new Map<string, Resource>();
  for (const r of changed) if (r.settle && !byKey.has(r.settleKey ?? r.id)) byKey.set(r.settleKey ?? r.id, r);
  const out: AppliedStep[] = [];
  for (const [key, r] of byKey) {
    say(`[settle] ${key}: waiting until the changes took effect`);
    const t0 = performance.now();
    let detail: string;
    try {
      detail = await (r.settle as NonNullable<Resource['settle']>)(ex, journal);
    } catch (cause) {
      throw new ClawopsError(`apply did not settle (${key}): ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
        hint: `every change was made (journal ${journal.id}); fix the cause and re-run \`clawops apply\`, or \`clawops undo\``,
      });
    }
    const ms = Math.round(performance.now() - t0);
    say(`        ${key} settled in ${(ms / 1000).toFixed(1)} s: ${detail}`);
    out.push({ resourceId: `settle:${key}`, summary: detail, durationMs: ms });
  }
  return out;
}

export async function applyPlan(plan: Plan, resources: Map<string, Resource>, ex: Executor, opts: ApplyOptions): Promise<ApplyResult> {
  const started = performance.now();
  const say = opts.progress ?? (() => {});
  const env = opts.env ?? process.env;
  const todo = plan.resources.filter((r) => r.changes.length > 0 || r.deferred !== undefined);
  let total = todo.reduce((n, r) => n + Math.max(r.changes.length, r.deferred ? 1 : 0), 0);
  if (total === 0) return { journalId: null, steps: [], durationMs: 0 };

  const lock = await acquireLock(ex, opts.stateDir, opts.command ?? 'clawops apply', { note: say });
  const steps: AppliedStep[] = [];
  let journal: TargetJournal | undefined;
  let current = '';
  try {
    faultPoint('lock-acquired', env);
    const pruned = await pruneJournals(ex, opts.stateDir, opts.journalRetentionDays ?? 30);
    if (pruned.length > 0) say(`removed ${pruned.length} journal${pruned.length === 1 ? '' : 's'} older than ${opts.journalRetentionDays ?? 30} days`);
    journal = await TargetJournal.begin(ex, opts.stateDir, plan.summary, (m) => say(`        ${current}: ${m}`));
    faultPoint('journal-begun', env);
    let n = 0;
    const changed: Resource[] = [];
    for (const rp of todo) {
      const resource = resources.get(rp.id);
      if (!resource) throw new ClawopsError(`no resource ${rp.id} to apply`, { hint: 'make a new plan' });
      current = rp.id;
      journal.onEntry = () => faultPoint(`saved:${rp.id}`, env);
      let changes: PlannedChange[] = rp.changes;
      if (rp.deferred !== undefined) {
        // known after apply: its dependencies are in place now, so read and plan it here
        const out = await planOne(resource, await readFacts([resource], ex));
        if ('unknown' in out) throw unreadable(resource, out.unknown, ex.target);
        changes = out.plan.changes;
        total += changes.length - 1;
        if (changes.length === 0) say(`        ${rp.id}: nothing to change once read`);
      }
      for (const change of changes) {
        n++;
        say(`[${n}/${total}] ${change.summary}`);
        faultPoint(`before:${rp.id}`, env);
        const disarm = armDuringFault(rp.id, env);
        const t0 = performance.now();
        try {
          await resource.apply(ex, change, journal);
        } catch (cause) {
          throw new ClawopsError(`apply failed at ${rp.id} (${change.summary}): ${cause instanceof Error ? cause.message : String(cause)}`, {
            cause,
            hint: `nothing after this step was changed; the journal ${journal.id} holds the before-images: fix the cause and re-run \`clawops apply\`, or \`clawops undo\``,
          });
        } finally {
          disarm();
        }
        const ms = Math.round(performance.now() - t0);
        if (ms >= LONG_STEP_MS) say(`        done in ${(ms / 1000).toFixed(1)} s`);
        steps.push({ resourceId: rp.id, summary: change.summary, durationMs: ms });
        faultPoint(`after:${rp.id}`, env);
      }
      if (changes.length > 0) changed.push(resource);
    }
    current = 'settle';
    steps.push(...(await settleAll(changed, ex, journal, say)));
    if (opts.after) {
      current = 'after';
      for (const line of await opts.after(ex, journal, { changedIds: changed.map((r) => r.id), savedPaths: journal.savedPaths })) say(`[after] ${line}`);
    }
    faultPoint('before-finish', env);
    await journal.finish('complete');
    return { journalId: journal.id, steps, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    await journal?.finish('failed', err instanceof Error ? err.message : String(err)).catch(() => {});
    throw err;
  } finally {
    await lock.release();
  }
}
