import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { executorFor } from '../../exec/target.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import type { BackupContext } from '../../backup/context.ts';
import { listSnapshots } from '../../backup/list.ts';
import { describeVerifyFailure } from '../../backup/manifest.ts';
import { restoreInPlace, restoreTo } from '../../backup/restore.ts';
import { runBackup } from '../../backup/run.ts';
import { EXIT, type CliContext } from '../program.ts';
import { type GlobalOptions, printJson, printLine } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';
import type { HeldLock } from '../../core/lock.ts';
import { withHostEvent } from '../../ledger/events.ts';

/**
 * The backup context for a command: spec (and its text), executor on --target, log to stderr unless
 * --json. With `lock` (the commands that change the target), the host lock is taken first and
 * released by close().
 */
export async function backupContext(ctx: CliContext, g: GlobalOptions, lock?: { command: string; wait: string | undefined; whileContained?: boolean }): Promise<BackupContext & { close(): Promise<void> }> {
  const spec = await loadSpec(g.spec, ctx.rt);
  const specText = g.spec ? { name: basename(g.spec), text: await readFile(g.spec, 'utf8') } : undefined;
  const ex = executorFor(g.target);
  await registerKnownSecrets(ex, spec, ctx.rt.env);
  let held: HeldLock | undefined;
  try {
    if (lock) held = await takeHostLock(ctx, ex, spec.stateDir, lock.command, lock.wait, { whileContained: lock.whileContained ?? false });
  } catch (err) {
    await ex.close();
    throw err;
  }
  return {
    ex, spec, env: ctx.rt.env,
    ...(specText ? { specText } : {}),
    ...(lock ? { lockCommand: lock.command } : {}),
    log: (l) => ctx.rt.err(`${l}\n`),
    close: async () => {
      await held?.release();
      await ex.close();
    },
  };
}

const mb = (n: number | undefined) => `${((n ?? 0) / 1e6).toFixed(1)} MB`;

export function registerBackupCommands(program: Command, ctx: CliContext): void {
  const backup = program.command('backup').description('restic backups of the OpenClaw state: run, list, restore');

  backup
    .command('run')
    .description('back up each instance (consistent SQLite snapshot + manifest), apply retention, check the repository')
    .option('--instance <name...>', 'only these instances')
    .option('--no-maintenance', 'skip retention and restic check this time (the next full run continues the check rotation)')
    .addOption(waitOption())
    .action(async (opts: { instance?: string[]; maintenance: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      // on a contained host only without maintenance: retention could forget the snapshots from before the incident
      const bc = await backupContext(ctx, g, { command: opts.maintenance ? 'clawops backup run' : 'clawops backup run --no-maintenance', wait: opts.wait, whileContained: !opts.maintenance });
      try {
        const rec = await withHostEvent(bc.ex, bc.spec, 'backup', bc.log, () => runBackup(bc, { ...(opts.instance ? { instances: opts.instance } : {}), skipMaintenance: !opts.maintenance }),
          (r) => ({
            ok: r.ok,
            summary: `${r.ok ? 'backup' : 'backup FAILED'}: ${r.instances.map((i) => `${i.name} ${i.ok ? `snapshot ${i.shortId}` : i.error ?? 'failed'}`).join(', ')}`,
            // the report's plots: what the snapshots added and read, and how long they took
            detail: {
              bytesAdded: r.instances.reduce((n, i) => n + (i.bytesAdded ?? 0), 0),
              bytesProcessed: r.instances.reduce((n, i) => n + (i.bytesProcessed ?? 0), 0),
              durationMs: r.instances.reduce((n, i) => n + (i.durationMs ?? 0), 0),
            },
          }));
        if (g.json) printJson(ctx.rt, rec);
        else {
          for (const i of rec.instances) printLine(ctx.rt, `${i.name}: snapshot ${i.shortId} (${i.files} files, ${i.sqlite} SQLite, ${mb(i.bytesProcessed)} read, ${mb(i.bytesAdded)} added) in ${(i.durationMs / 1000).toFixed(1)} s`);
          if (rec.retention) printLine(ctx.rt, `retention: ${rec.retention.skipped ?? `kept ${rec.retention.kept}, removed ${rec.retention.removed}`}`);
          if (!opts.maintenance) printLine(ctx.rt, 'retention and restic check skipped (--no-maintenance)');
          else if (rec.check) printLine(ctx.rt, `restic check ${rec.check.subset}: ${rec.check.ok ? 'no errors' : rec.check.error}`);
        }
      } finally {
        await bc.close();
      }
    });

  backup
    .command('list')
    .description('snapshots with their age against the RPO (dr.rpoHours)')
    .option('--instance <name>', 'only this instance')
    .action(async (opts: { instance?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const bc = await backupContext(ctx, g);
      try {
        const list = await listSnapshots(bc, opts.instance);
        if (g.json) printJson(ctx.rt, list);
        else {
          if (list.snapshots.length === 0) printLine(ctx.rt, `no clawops snapshots in ${list.repository}`);
          for (const s of list.snapshots) printLine(ctx.rt, `${s.shortId}  ${s.time}  ${s.instance ?? '?'}@${s.host}  ${s.ageHours.toFixed(1)} h${s.reason ? `  ${s.reason}` : ''}`);
          for (const i of list.instances) {
            printLine(ctx.rt, `${i.name}: ${i.latestAgeHours === undefined ? 'no snapshot' : `latest ${i.latestAgeHours.toFixed(1)} h old`} (RPO ${list.rpoHours} h): ${i.withinRpo ? 'ok' : 'OUTSIDE RPO'}`);
          }
        }
        ctx.setExit(list.instances.every((i) => i.withinRpo) ? EXIT.ok : EXIT.gate);
      } finally {
        await bc.close();
      }
    });

  backup
    .command('restore')
    .description('restore a snapshot into a fresh directory (verified against its manifest), or --in-place for one instance')
    .argument('<snapshot>', 'snapshot id (or prefix) or "latest"')
    .option('--to <dir>', 'a new or empty directory to restore into')
    .option('--in-place', 'replace the live state of --instance (stops and restarts its gateway, keeps the replaced state)', false)
    .option('--instance <name>', 'the instance (required with --in-place; narrows "latest")')
    .option('-y, --yes', 'do not ask for confirmation of --in-place', false)
    .addOption(waitOption())
    .action(async (snapshot: string, opts: { to?: string; inPlace: boolean; instance?: string; yes: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (opts.inPlace === Boolean(opts.to)) throw new ClawopsError('give exactly one of --to DIR or --in-place', { hint: 'a restore goes into a fresh directory (--to), or replaces an instance\'s state (--in-place --instance NAME)' });
      if (opts.inPlace && !opts.instance) throw new ClawopsError('--in-place needs --instance NAME', { hint: 'name the instance whose live state is replaced' });
      const bc = await backupContext(ctx, g, { command: `clawops backup restore${opts.inPlace ? ' --in-place' : ''}`, wait: opts.wait, whileContained: !opts.inPlace });
      try {
        if (opts.to) {
          const r = await restoreTo(bc, snapshot, opts.to, opts.instance);
          if (g.json) printJson(ctx.rt, { schemaVersion: 1, snapshot: r.snapshot, dir: r.dir, verify: r.verify, restoreMs: r.restoreMs, verifyMs: r.verifyMs });
          else printLine(ctx.rt, `restored ${r.snapshot.shortId} into ${r.dir}: ${r.verify.ok ? `${r.verify.checked} files verified against the manifest` : `VERIFICATION FAILED: ${describeVerifyFailure(r.verify)}`}`);
          if (!r.verify.ok) throw new ClawopsError(`snapshot ${r.snapshot.shortId} restored into ${r.dir} does not match its manifest: ${describeVerifyFailure(r.verify)}`, { hint: 'the restored files are kept for inspection; try an older snapshot' });
          return;
        }
        const instance = opts.instance ?? '';
        if (!opts.yes) await confirm(ctx, `Replace the live state of ${instance} with snapshot ${snapshot}? Its gateway is stopped, the current state is moved aside (kept). [y/N] `);
        const r = await restoreInPlace(bc, snapshot, instance);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, ...r });
        else printLine(ctx.rt, `restored ${r.instance} from ${r.snapshot.shortId} into ${r.restoredPath} in ${(r.durationMs / 1000).toFixed(1)} s; the replaced state is kept in ${r.replacedPath ?? '(there was none)'}`);
      } finally {
        await bc.close();
      }
    });
}

async function confirm(ctx: CliContext, question: string): Promise<void> {
  if (!ctx.rt.isTTY || !process.stdin.isTTY) {
    throw new ClawopsError('an in-place restore needs confirmation', { hint: 'pass --yes to confirm non-interactively' });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    if (!/^y(es)?$/i.test(answer.trim())) throw new ClawopsError('in-place restore not confirmed: nothing changed', { hint: 'answer y, or pass --yes' });
  } finally {
    rl.close();
  }
}
