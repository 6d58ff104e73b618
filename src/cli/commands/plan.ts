import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildPlan, hasChanges } from '../../engine/plan.ts';
import { formatPlan } from '../../engine/view.ts';
import { executorFor } from '../../exec/target.ts';
import { loadSpec } from '../../desired/load.ts';
import { style } from '../../views/style.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, useColor } from '../runtime.ts';

export function registerPlanCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('read the target and show what `clawops apply` would change (changes nothing)')
    .option('--out <file>', 'save the plan as JSON, to apply later unchanged with `clawops apply <file>`')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on error', false)
    .option('-v, --verbose', 'list unchanged resources with the reason', false)
    .action(async (opts: { out?: string; detailedExitcode: boolean; verbose: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec);
      const ex = executorFor(g.target);
      try {
        const { plan } = await buildPlan(spec, ex, { specSource: g.spec ?? '(embedded defaults)' });
        if (opts.out) await writeFile(opts.out, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
        if (g.json) printJson(ctx.rt, plan);
        else {
          for (const l of formatPlan(plan, style(useColor(ctx.rt, g)), { verbose: opts.verbose })) printLine(ctx.rt, l);
          if (opts.out) printLine(ctx.rt, `Saved to ${opts.out}; apply it with \`clawops apply ${opts.out}\`.`);
        }
        ctx.setExit(opts.detailedExitcode && hasChanges(plan) ? EXIT.gate : EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}
