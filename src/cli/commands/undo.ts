import type { Command } from 'commander';
import { undoLast } from '../../engine/undo.ts';
import { afterApply } from '../../engine/registry.ts';
import { executorFor } from '../../exec/target.ts';
import { loadSpec } from '../../desired/load.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';
import type { HeldLock } from '../../core/lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

export function registerUndoCommand(program: Command, ctx: CliContext): void {
  program
    .command('undo')
    .description('restore what the last `clawops apply` changed (files byte for byte; created paths removed; steps reversed)')
    .addOption(waitOption())
    .action(async (opts: { wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      let lock: HeldLock | undefined;
      try {
        lock = await takeHostLock(ctx, ex, spec.stateDir, 'clawops undo', opts.wait);
        const note = (l: string) => ctx.rt.err(`${l}\n`);
        const r = await withHostEvent(ex, spec, 'undo', note, () => undoLast(ex, spec.stateDir, note), (u) => ({ ok: true, summary: `undid apply ${u.journalId}: ${u.restored.length} restored, ${u.removed.length} removed` }));
        // what follows the host's state (the AIDE database, over the paths undo put back)
        for (const line of await afterApply(spec)(ex, undefined, { changedIds: [], savedPaths: [...r.restored, ...r.removed] })) note(`[after] ${line}`);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, ...r });
        else printLine(ctx.rt, `Undo complete: apply ${r.journalId}: ${r.restored.length} restored, ${r.removed.length} removed, ${r.steps.length} steps reversed.`);
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
}
