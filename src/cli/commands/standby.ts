/** `clawops standby sync|status`: a warm standby restored from the primary's latest backup, gated. */
import { Command, Option } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import type { FailOn } from '../../checks/run.ts';
import { PRIMARY_ONLY_CHECKS } from '../../standby/plan.ts';
import type { StandbyRecord } from '../../standby/record.ts';
import { readStandbyRecord, syncStandby } from '../../standby/sync.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, type Runtime } from '../runtime.ts';
import { backupContext } from './backup.ts';
import { loadWaivers } from './check.ts';
import { parseChecks } from './upgrade.ts';
import { waitOption } from '../lock.ts';

const HELP = `
The standby is a second host converged by the same spec (\`clawops apply --target <standby>\`) that
can reach the same backup.repository (an sftp:/rest:/s3: repository or a shared path; the password
file of backup.password must exist on the standby too). \`standby sync --target <standby>\` then, per
instance: takes the newest snapshot of that instance not taken by the standby itself (or only from
--from-host), refuses a snapshot from a newer OpenClaw than the standby runs, restores it to scratch
on the standby and verifies every file against the snapshot's manifest, stops the standby's gateway,
moves its state aside (kept as <state>.replaced-<stamp>, the newest --keep-replaced kept), moves the
restored state in, gives every non-root owner to the standby's service user by name (uids differ
between hosts), installs the primary's identity baseline, starts the gateway, waits for health and
runs the go-live gate there (without ${PRIMARY_ONLY_CHECKS.join(', ')}: the primary's duties).
The result is recorded on the standby in <stateDir>/backup/standby.json (snapshot, RPO age, duration,
gate) and <monitoring.textfileDir>/clawops_standby.prom.

A bastion, ProxyJump or ProxyCommand: ssh://root@standby?config=/path/to/ssh_config.
Exit codes: 0 synced and gate passed, 1 clawops failed (the standby's state is untouched unless the
message says otherwise), 2 synced but not healthy, the gate failed, or the snapshot is older than dr.rpoHours.`;

export function registerStandbyCommands(program: Command, ctx: CliContext): void {
  const standby = program.command('standby').description('warm standby: restore the primary\'s latest backup onto a second host and gate it there');

  standby
    .command('sync')
    .description('restore the latest snapshot of each instance onto the --target standby, start it, run its go-live gate (exit 2 when it fails)')
    .option('--instance <name...>', 'only these instances')
    .option('--from-host <host>', 'only snapshots taken by this host (the primary\'s uname -n)')
    .option('--checks <ids>', 'go-live check ids of the gate (comma-separated; default: go-live without the primary-only backup checks)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the gate').choices(['warn', 'critical']).default('warn'))
    .option('--allow-unknown', 'unknown results do not fail the gate', false)
    .option('--waivers <file>', 'waivers file (default: monitoring.waiversFile on the standby)')
    .option('--health-timeout <seconds>', 'how long each gateway gets to become healthy', '180')
    .option('--keep-replaced <n>', 'replaced states kept per instance', '2')
    .option('-y, --yes', 'confirm: the standby\'s gateways are restarted on the primary\'s state', false)
    .addOption(waitOption())
    .addHelpText('after', HELP)
    .action(async (opts: { instance?: string[]; fromHost?: string; checks?: string; failOn: FailOn; allowUnknown: boolean; waivers?: string; healthTimeout: string; keepReplaced: string; yes: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (!g.target || g.target === 'local') {
        throw new ClawopsError('standby sync needs --target: the standby host', { hint: 'clawops standby sync --target ssh://root@standby.example --yes' });
      }
      if (!opts.yes) throw new ClawopsError('a standby sync replaces the standby\'s state and restarts its gateways', { hint: 'run again with --yes' });
      const keep = Number(opts.keepReplaced);
      if (!Number.isInteger(keep) || keep < 0) throw new ClawopsError(`--keep-replaced must be a whole number, got ${opts.keepReplaced}`, { hint: 'e.g. --keep-replaced 2' });
      const bc = await backupContext(ctx, g, { command: 'clawops standby sync', wait: opts.wait });
      try {
        const checks = parseChecks(opts.checks);
        const waivers = await loadWaivers(bc.ex, opts.waivers, bc.spec, new Date());
        const rec = await syncStandby(bc, {
          ...(opts.instance ? { instances: opts.instance } : {}), ...(opts.fromHost ? { fromHost: opts.fromHost } : {}), ...(checks ? { checks } : {}),
          failOn: opts.failOn, allowUnknown: opts.allowUnknown, waivers, keepReplaced: keep,
          healthTimeoutSec: Math.max(5, Number(opts.healthTimeout) || 180),
        });
        if (g.json) printJson(ctx.rt, rec);
        else printRecord(ctx.rt, rec);
        ctx.setExit(rec.ok ? EXIT.ok : EXIT.gate);
      } finally {
        await bc.close();
      }
    });

  standby
    .command('status')
    .description('the last sync recorded on the --target standby (exit 2 when it failed or never ran)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const bc = await backupContext(ctx, g);
      try {
        const rec = await readStandbyRecord(bc);
        if (g.json) printJson(ctx.rt, rec ?? { schemaVersion: 1, kind: 'standby', synced: false });
        else if (!rec) printLine(ctx.rt, `${bc.ex.target} has never been synced as a standby`);
        else printRecord(ctx.rt, rec);
        ctx.setExit(rec?.ok ? EXIT.ok : EXIT.gate);
      } finally {
        await bc.close();
      }
    });
}

export function printRecord(rt: Runtime, r: StandbyRecord): void {
  for (const i of r.instances) {
    const rpo = i.rpo ? `RPO ${i.rpo.ageHours.toFixed(2)} h (target ${i.rpo.targetHours} h${i.rpo.ok ? '' : ', MISSED'})` : '';
    printLine(rt, `${i.name}: snapshot ${i.shortId ?? '?'} from ${i.snapshotHost ?? '?'} (${i.snapshotTime ?? '?'}), ${i.verifiedFiles ?? 0} files verified, ${rpo}, ${(i.durationMs / 1000).toFixed(1)} s`);
    if (i.replacedPath) printLine(rt, `  previous standby state kept in ${i.replacedPath}`);
    if (i.health) printLine(rt, `  health: ${i.health.detail}`);
  }
  if (r.gate) printLine(rt, `gate on ${r.host}: ${r.gate.ok ? 'passed' : 'FAILED'} (${r.gate.pass}/${r.gate.total} pass${r.gate.blocking.length ? `; blocking: ${r.gate.blocking.join(', ')}` : ''})`);
  printLine(rt, r.ok ? `standby ${r.host} synced in ${(r.durationMs / 1000).toFixed(1)} s (${r.finishedAt})` : `standby ${r.host} NOT ready: ${r.error ?? 'unknown'}${r.lastSuccessAt ? ` (last good sync ${r.lastSuccessAt})` : ''}`);
}
