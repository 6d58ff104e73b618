import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { applyPlan } from '../../engine/apply.ts';
import { buildPlan, checkSavedPlan, hasChanges, specHash } from '../../engine/plan.ts';
import { afterApply, desiredResources } from '../../engine/registry.ts';
import { PLAN_SCHEMA_VERSION, type Plan, type Resource } from '../../engine/types.ts';
import { formatPlan } from '../../engine/view.ts';
import { executorFor } from '../../exec/target.ts';
import type { Executor } from '../../exec/types.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { style } from '../../views/style.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, useColor } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';
import type { HeldLock } from '../../core/lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

export function registerApplyCommand(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .argument('[plan]', 'a plan saved with `clawops plan --out` (default: plan now)')
    .description('make the target match the spec: show the plan, ask, apply with a journal (undo with `clawops undo`)')
    .option('-y, --yes', 'apply without asking', false)
    .addOption(waitOption())
    .addHelpText('after', '\nTest-only: CLAWOPS_FAULT_AT=<point> makes apply SIGKILL itself at that point (see src/engine/fault.ts).')
    .action(async (planFile: string | undefined, opts: { yes: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      await registerKnownSecrets(ex, spec, ctx.rt.env);
      const note = (l: string) => ctx.rt.err(`${l}\n`);
      let lock: HeldLock | undefined;
      try {
        // before planning: the plan is made, confirmed and applied with no other change in between
        lock = await takeHostLock(ctx, ex, spec.stateDir, 'clawops apply', opts.wait);
        const { plan, resources } = planFile
          ? await savedPlan(planFile, spec, ex, note)
          : await buildPlan(spec, ex, { specSource: g.spec ?? '(embedded defaults)' });
        if (!g.json) for (const l of formatPlan(plan, style(useColor(ctx.rt, g)))) printLine(ctx.rt, l);
        if (!hasChanges(plan)) {
          if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, applied: false, journalId: null, summary: plan.summary, steps: [] });
          else printLine(ctx.rt, 'No changes. The target matches the spec.');
          ctx.setExit(EXIT.ok);
          return;
        }
        if (!opts.yes) {
          if (!ctx.rt.confirm) {
            throw new ClawopsError('apply needs confirmation and there is no terminal to ask on', {
              hint: 'review the plan above and re-run with --yes (or save it with `clawops plan --out plan.json` and apply that file with --yes)',
            });
          }
          if (!(await ctx.rt.confirm(`Apply these changes to ${ex.target}? [y/N] `))) {
            printLine(ctx.rt, 'Apply cancelled; nothing was changed.');
            ctx.setExit(EXIT.error);
            return;
          }
        }
        const result = await withHostEvent(ex, spec, 'apply', note, () => applyPlan(plan, resources, ex, { stateDir: spec.stateDir, journalRetentionDays: spec.journal.retentionDays, progress: note, env: ctx.rt.env, after: afterApply(spec) }),
          (r) => ({ ok: true, summary: `${r.steps.length} change(s) in ${(r.durationMs / 1000).toFixed(1)} s, journal ${r.journalId}`, detail: { journalId: r.journalId } }));
        if (g.json) {
          printJson(ctx.rt, { schemaVersion: 1, target: ex.target, applied: true, journalId: result.journalId, summary: plan.summary, durationMs: result.durationMs, steps: result.steps });
        } else {
          printLine(ctx.rt, `Apply complete: ${result.steps.length} change${result.steps.length === 1 ? '' : 's'} in ${(result.durationMs / 1000).toFixed(1)} s (journal ${result.journalId}; \`clawops undo\` restores it).`);
        }
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
}

async function savedPlan(file: string, spec: ResolvedSpec, ex: Executor, note: (l: string) => void): Promise<{ plan: Plan; resources: Map<string, Resource> }> {
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(file, 'utf8')) as Plan;
  } catch (cause) {
    throw new ClawopsError(`cannot read the plan ${file}`, { cause, hint: 'make one with `clawops plan --out plan.json`' });
  }
  if (plan.schemaVersion !== PLAN_SCHEMA_VERSION || !Array.isArray(plan.resources)) {
    throw new ClawopsError(`${file} is not a clawops plan (schemaVersion ${String(plan.schemaVersion)})`, { hint: 'make one with `clawops plan --out plan.json`' });
  }
  if (plan.target !== ex.target) {
    throw new ClawopsError(`${file} was made for ${plan.target}, not ${ex.target}`, { hint: `apply it with --target ${plan.target}, or make a new plan` });
  }
  if (plan.specHash !== specHash(spec)) {
    throw new ClawopsError(`the spec changed since ${file} was made (${plan.specSource})`, { hint: 'pass the same spec with -f, or make a new plan' });
  }
  const resources = new Map(desiredResources(spec).map((r) => [r.id, r]));
  note(`checking that the facts behind ${file} (made ${plan.createdAt}) have not changed...`);
  const { drifted, altered } = await checkSavedPlan(plan, resources, ex);
  if (altered.length > 0) {
    throw new ClawopsError(`${file} holds changes this spec does not plan on these facts: ${altered.join(', ')} (edited after it was made?)`, {
      hint: 'nothing was applied; make a new plan with `clawops plan --out plan.json` and review it',
    });
  }
  if (drifted.length > 0) {
    throw new ClawopsError(`the target changed since ${file} was made: ${drifted.join(', ')}`, {
      hint: 'nothing was applied; make a new plan with `clawops plan --out plan.json` and review it',
    });
  }
  return { plan, resources };
}
