import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import type { UpgradeReport } from '../../upgrade/steps.ts';
import { runUpgrade } from '../../upgrade/run.ts';
import type { CliContext } from '../program.ts';
import { printJson, printLine, type Runtime } from '../runtime.ts';
import { backupContext } from './backup.ts';
import { waitOption } from '../lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

export const parseChecks = (s: string | undefined): string[] | undefined =>
  s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);

export function printReport(rt: Runtime, r: UpgradeReport): void {
  for (const s of [...r.steps, ...(r.kind === 'upgrade' ? (r.rollback?.steps ?? []).map((x) => ({ ...x, name: `rollback ${x.name}` })) : [])]) {
    printLine(rt, `${s.status.toUpperCase().padEnd(6)} ${s.name.padEnd(18)} ${(s.durationMs / 1000).toFixed(2).padStart(7)} s  ${s.detail}`);
  }
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (r.outcome === 'upgraded' && r.exitCode === 0) printLine(rt, `upgraded ${r.instance}: ${r.from} -> ${r.to} in ${secs(r.durationMs)}`);
  else if (r.outcome === 'rolled-back') printLine(rt, `${r.kind === 'upgrade' ? `upgrade to ${r.to} FAILED at ${r.failedStep}: ${r.error}\n` : ''}rolled back ${r.instance} to ${r.rollback?.to} on snapshot ${r.snapshotId?.slice(0, 8)} in ${secs(r.rollback?.durationMs ?? 0)}`);
  else printLine(rt, `${r.kind} of ${r.instance} FAILED${r.failedStep ? ` at ${r.failedStep}` : ''}: ${r.rollback?.error ?? r.error}`);
}

export function registerUpgradeCommand(program: Command, ctx: CliContext): void {
  program
    .command('upgrade')
    .argument('<version>', 'the OpenClaw version to upgrade to')
    .description('back up, install VERSION side by side, switch, run the gate; roll back automatically when it fails (exit 0 upgraded, 2 rolled back, 1 failed)')
    .option('--instance <name>', 'the instance (default: the first)')
    .option('--yes', 'confirm (the gateway is restarted)', false)
    .option('--checks <ids>', 'go-live check ids the gate runs after health (comma-separated; "" = health only; default: the whole go-live profile)')
    .option('--npm-cache <dir>', 'install offline from this npm cache on the target')
    .option('--health-timeout <seconds>', 'how long the gateway gets to become healthy', '180')
    .option('--smoke', 'the gate also runs `clawops smoke` (an agent turn, a tool call in the sandbox); a failed smoke rolls back', false)
    .addOption(waitOption())
    .action(async (version: string, opts: { instance?: string; yes: boolean; checks?: string; npmCache?: string; healthTimeout: string; smoke: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (!opts.yes) throw new ClawopsError('an upgrade restarts the gateway', { hint: `run again with --yes: clawops upgrade ${version} --yes` });
      const bc = await backupContext(ctx, g, { command: `clawops upgrade ${version}`, wait: opts.wait });
      try {
        const checks = parseChecks(opts.checks);
        const r = await withHostEvent(bc.ex, bc.spec, 'upgrade', bc.log, () => runUpgrade(bc, version, {
          ...(opts.instance ? { instance: opts.instance } : {}), ...(checks ? { checks } : {}), ...(opts.npmCache ? { npmCache: opts.npmCache } : {}),
          healthTimeoutSec: Math.max(5, Number(opts.healthTimeout) || 180),
          ...(opts.smoke ? { smokeTimeoutSec: bc.spec.smoke.timeoutSec } : {}),
        }), (u) => ({ ok: u.exitCode === 0, summary: `${u.kind} of ${u.instance} ${u.from} -> ${u.to}: ${u.exitCode === 0 ? 'ok' : u.exitCode === 2 ? 'rolled back' : `failed${u.failedStep ? ` at ${u.failedStep}` : ''}`}` }));
        if (g.json) printJson(ctx.rt, r);
        else {
          printReport(ctx.rt, r);
          if (r.exitCode === 0) printLine(ctx.rt, `now pin openclaw.version: ${r.to} in the spec: \`clawops plan\` and \`apply\` refuse the old pin ${r.from} (a downgrade over migrated state)`);
        }
        ctx.setExit(r.exitCode);
      } finally {
        await bc.close();
      }
    });
}
