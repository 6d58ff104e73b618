import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { executorFor } from '../../exec/target.ts';
import { rotateGatewayToken, type RotateResult } from '../../openclaw/rotate.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { takeHostLock, waitOption } from '../lock.ts';
import type { HeldLock } from '../../core/lock.ts';

export function registerRotateCommand(program: Command, ctx: CliContext): void {
  const rotate = program.command('rotate').description('rotate credentials that clawops owns');
  rotate
    .command('gateway-token')
    .description('new gateway token on both sides in one atomic write, restart, verify health, new token accepted and old refused')
    .option('--instance <name...>', 'only these instances (default: all)')
    .addOption(waitOption())
    .action(async (opts: { instance?: string[]; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const wanted = opts.instance ?? spec.resolved.map((i) => i.name);
      const unknown = wanted.filter((n) => !spec.resolved.some((i) => i.name === n));
      if (unknown.length > 0) {
        throw new ClawopsError(`no instance named ${unknown.join(', ')} in the spec`, {
          hint: `instances: ${spec.resolved.map((i) => i.name).join(', ')}`,
        });
      }
      const ex = executorFor(g.target);
      await registerKnownSecrets(ex, spec, ctx.rt.env);
      const results: RotateResult[] = [];
      let lock: HeldLock | undefined;
      try {
        lock = await takeHostLock(ctx, ex, spec.stateDir, 'clawops rotate gateway-token', opts.wait);
        for (const inst of spec.resolved.filter((i) => wanted.includes(i.name))) {
          const r = await rotateGatewayToken(ex, inst, spec.openclaw.version, { log: (l) => ctx.rt.err(`${l}\n`) });
          results.push(r);
          if (!g.json) {
            printLine(ctx.rt, `${r.instance}: rotated; ${r.unit} healthy ${(r.restartMs / 1000).toFixed(1)} s after restart; new token ${r.newToken}, old token ${r.oldToken ?? 'none before'}`);
          }
        }
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, rotated: results });
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
}
