import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { refuseWhileContained, type HeldLock } from '../../core/lock.ts';
import { loadSpec } from '../../desired/load.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { executorFor } from '../../exec/target.ts';
import { approvePairing, checkChannel, checkCode, listPairing, readApprovals } from '../../openclaw/dm-pairing.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';

function instanceOf(spec: ResolvedSpec, name: string | undefined) {
  const inst = name ? spec.resolved.find((i) => i.name === name) : spec.resolved[0];
  if (!inst) throw new ClawopsError(`no instance named ${name} in the spec`, { hint: `instances: ${spec.resolved.map((i) => i.name).join(', ')}` });
  return inst;
}

export function registerPairingCommands(program: Command, ctx: CliContext): void {
  const pairing = program.command('pairing').description("DM pairing: who may talk to the bot (OpenClaw's pairing store, as the service user)");
  pairing
    .command('list')
    .argument('<channel>', 'the channel, e.g. telegram')
    .description('pending pairing requests (code, sender) and the senders clawops approved')
    .option('--instance <name>', 'the instance (default: the first)')
    .action(async (channel: string, opts: { instance?: string }, cmd: Command) => {
      checkChannel(channel);
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const inst = instanceOf(spec, opts.instance);
      const ex = executorFor(g.target);
      try {
        // it runs the service user's openclaw: not on a contained host
        await refuseWhileContained(ex, spec.stateDir, `clawops pairing list ${channel}`);
        const pending = await listPairing(ex, spec, inst, channel);
        const approved = (await readApprovals(ex, spec, inst)).filter((a) => a.channel === channel);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, instance: inst.name, channel, pending, approved });
        else {
          if (pending.length === 0) printLine(ctx.rt, `no pending ${channel} pairing requests`);
          for (const p of pending) printLine(ctx.rt, `PENDING  ${p.code}  sender ${p.id}${p.username ? ` (@${p.username})` : ''}${p.createdAt ? `  since ${p.createdAt}` : ''}`);
          for (const a of approved) printLine(ctx.rt, `APPROVED sender ${a.id}${a.username ? ` (@${a.username})` : ''}  at ${a.approvedAt}`);
          if (pending.length > 0) printLine(ctx.rt, `approve one: clawops pairing approve ${channel} CODE`);
        }
        ctx.setExit(EXIT.ok);
      } finally {
        await ex.close();
      }
    });
  pairing
    .command('approve')
    .argument('<channel>', 'the channel, e.g. telegram')
    .argument('<code>', 'the code the bot sent to the sender')
    .description('approve a pending code: the sender may DM the agent; the approval is recorded')
    .option('--instance <name>', 'the instance (default: the first)')
    .addOption(waitOption())
    .action(async (channel: string, code: string, opts: { instance?: string; wait?: string }, cmd: Command) => {
      checkCode(channel, code);
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const inst = instanceOf(spec, opts.instance);
      const ex = executorFor(g.target);
      let lock: HeldLock | undefined;
      try {
        lock = await takeHostLock(ctx, ex, spec.stateDir, `clawops pairing approve ${channel}`, opts.wait);
        const a = await approvePairing(ex, spec, inst, channel, code);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, instance: inst.name, approved: a });
        else printLine(ctx.rt, `approved ${channel} sender ${a.id}${a.username ? ` (@${a.username})` : ''}: their DMs now reach the agent`);
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
}
