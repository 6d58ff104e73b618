import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { acceptAide, aideDifferences, AIDE_CONF, readAide } from '../../baseline/aide.ts';
import { executorFor } from '../../exec/target.ts';
import { loadSpec } from '../../desired/load.ts';
import { withHostEvent } from '../../ledger/events.ts';
import type { HeldLock } from '../../core/lock.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';

export function registerAideCommands(program: Command, ctx: CliContext): void {
  const aide = program.command('aide').description('the file integrity database of the host baseline (baseline.aide)');
  aide
    .command('accept')
    .description('after review: AIDE\'s findings become the new baseline (a new database over the watched paths as they are now); recorded in the ledger')
    .option('--yes', 'do not ask (needed without a terminal)')
    .addOption(waitOption())
    .action(async (opts: { yes?: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      if (!spec.baseline.aide) throw new ClawopsError('baseline.aide is off in the spec', { hint: 'nothing to accept' });
      const ex = executorFor(g.target);
      let lock: HeldLock | undefined;
      try {
        lock = await takeHostLock(ctx, ex, spec.stateDir, 'clawops aide accept', opts.wait);
        const found = await readAide(ex, spec);
        if (found === undefined) throw new ClawopsError(`no AIDE database on ${ex.target}`, { hint: `clawops apply makes it (from ${AIDE_CONF})` });
        if ('unknown' in found) throw new ClawopsError(`cannot read AIDE's findings: ${found.unknown}`, { hint: `run \`aide --config ${AIDE_CONF} --check\` there to see why` });
        const diffs = aideDifferences(found);
        const lines = [...found.added.map((p) => `added    ${p}`), ...found.removed.map((p) => `removed  ${p}`), ...found.changed.map((p) => `changed  ${p}`)];
        if (diffs.length === 0) {
          if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, accepted: [] });
          else printLine(ctx.rt, 'AIDE finds nothing to accept.');
          ctx.setExit(EXIT.ok);
          return;
        }
        if (!g.json) for (const l of lines) printLine(ctx.rt, l);
        if (!opts.yes) {
          if (!ctx.rt.confirm) throw new ClawopsError('accept needs confirmation and there is no terminal to ask on', { hint: 'review the list above and re-run with --yes' });
          if (!(await ctx.rt.confirm(`Accept these ${diffs.length} change(s) as the new baseline on ${ex.target}? [y/N] `))) {
            printLine(ctx.rt, 'Nothing accepted.');
            ctx.setExit(EXIT.error);
            return;
          }
        }
        const note = (l: string) => ctx.rt.err(`${l}\n`);
        await withHostEvent(ex, spec, 'aide-accept', note, () => acceptAide(ex, spec, found.confHash), () => ({ ok: true, summary: `AIDE: ${diffs.length} change(s) accepted: ${diffs.slice(0, 10).join(', ')}` }));
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, accepted: { added: found.added, removed: found.removed, changed: found.changed } });
        else printLine(ctx.rt, `Accepted ${diffs.length} change(s): AIDE's database is the host as it is now.`);
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
}
