import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { runRollback } from '../../upgrade/run.ts';
import type { CliContext } from '../program.ts';
import { printJson } from '../runtime.ts';
import { backupContext } from './backup.ts';
import { printReport } from './upgrade.ts';
import { waitOption } from '../lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .argument('[version]', 'the version to go back to (default: the last known-good)')
    .description('switch back to VERSION and restore the latest pre-upgrade snapshot taken while it ran, start, verify health')
    .option('--instance <name>', 'the instance (default: the first)')
    .option('--yes', 'confirm (the live state is replaced; the replaced state is kept)', false)
    .option('--health-timeout <seconds>', 'how long the gateway gets to become healthy', '180')
    .addOption(waitOption())
    .action(async (version: string | undefined, opts: { instance?: string; yes: boolean; healthTimeout: string; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (!opts.yes) throw new ClawopsError('a rollback replaces the live state and restarts the gateway', { hint: 'run again with --yes' });
      const bc = await backupContext(ctx, g, { command: 'clawops rollback', wait: opts.wait });
      try {
        const r = await withHostEvent(bc.ex, bc.spec, 'rollback', bc.log, () => runRollback(bc, version, { ...(opts.instance ? { instance: opts.instance } : {}), healthTimeoutSec: Math.max(5, Number(opts.healthTimeout) || 180) }),
          (u) => ({ ok: u.exitCode === 0, summary: `${u.kind} of ${u.instance} ${u.from} -> ${u.to}: ${u.exitCode === 0 ? 'ok' : 'failed'}` }));
        if (g.json) printJson(ctx.rt, r);
        else printReport(ctx.rt, r);
        ctx.setExit(r.exitCode);
      } finally {
        await bc.close();
      }
    });
}
