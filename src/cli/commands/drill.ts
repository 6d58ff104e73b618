import type { Command } from 'commander';
import { runDrill } from '../../backup/drill.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { backupContext } from './backup.ts';
import { waitOption } from '../lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

export function registerDrillCommands(program: Command, ctx: CliContext): void {
  program
    .command('drill')
    .description('restore drill: latest snapshot to scratch, verify hashes and SQLite integrity, start a throwaway gateway, measure RTO/RPO (exit 2 when it fails)')
    .option('--instance <name>', 'the instance to drill (default: the first)')
    .option('--keep', 'keep the scratch restore and print where it is', false)
    .option('--gateway-timeout <seconds>', 'how long the throwaway gateway gets to become healthy', '120')
    .addOption(waitOption())
    .action(async (opts: { instance?: string; keep: boolean; gatewayTimeout: string; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const bc = await backupContext(ctx, g, { command: 'clawops drill', wait: opts.wait });
      try {
        const rec = await withHostEvent(bc.ex, bc.spec, 'drill', bc.log, () => runDrill(bc, {
          ...(opts.instance ? { instance: opts.instance } : {}),
          keep: opts.keep,
          gatewayLimitSec: Math.max(5, Number(opts.gatewayTimeout) || 120),
        }), (r) => ({
          ok: r.ok,
          summary: r.ok ? `drill passed: ${r.instance}${r.rto ? `, RTO ${r.rto.seconds.toFixed(1)} s` : ''}${r.rpo ? `, RPO ${r.rpo.ageHours.toFixed(2)} h` : ''}` : `drill FAILED: ${r.error ?? ''}`,
          detail: { ...(r.rto ? { rtoSeconds: r.rto.seconds } : {}), ...(r.rpo ? { rpoHours: r.rpo.ageHours } : {}) },
        }));
        if (g.json) printJson(ctx.rt, rec);
        else {
          for (const s of rec.steps) printLine(ctx.rt, `${s.status.toUpperCase().padEnd(7)} ${s.name.padEnd(9)} ${(s.durationMs / 1000).toFixed(2).padStart(7)} s  ${s.detail}`);
          if (rec.rto) printLine(ctx.rt, `RTO ${rec.rto.seconds.toFixed(1)} s (target ${rec.rto.targetHours} h): ${rec.rto.ok ? 'ok' : 'MISSED'}`);
          if (rec.rpo) printLine(ctx.rt, `RPO ${rec.rpo.ageHours.toFixed(2)} h snapshot age (target ${rec.rpo.targetHours} h): ${rec.rpo.ok ? 'ok' : 'MISSED'}`);
          if (rec.scratch) printLine(ctx.rt, `scratch kept in ${rec.scratch}`);
          printLine(ctx.rt, rec.ok ? `drill passed (${rec.instance}, snapshot ${rec.snapshotId?.slice(0, 8)})` : `drill FAILED: ${rec.error}`);
        }
        ctx.setExit(rec.ok ? EXIT.ok : EXIT.gate);
      } finally {
        await bc.close();
      }
    });
}
