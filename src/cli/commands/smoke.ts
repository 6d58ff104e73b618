import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { refuseWhileContained } from '../../core/lock.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import { executorFor } from '../../exec/target.ts';
import { runSmoke } from '../../openclaw/smoke.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

export function registerSmokeCommand(program: Command, ctx: CliContext): void {
  program
    .command('smoke')
    .description('end-to-end test through the running gateway: an agent turn, a tool call, and the sandbox container it ran in (exit 2 when a step fails)')
    .option('--instance <name>', 'the instance to test (default: the first)')
    .option('--timeout <seconds>', "each agent turn's deadline (default: the spec's smoke.timeoutSec)")
    .action(async (opts: { instance?: string; timeout?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const inst = opts.instance ? spec.resolved.find((i) => i.name === opts.instance) : spec.resolved[0];
      if (!inst) throw new ClawopsError(`no instance named ${opts.instance} in the spec`, { hint: `instances: ${spec.resolved.map((i) => i.name).join(', ')}` });
      const timeoutSec = opts.timeout === undefined ? spec.smoke.timeoutSec : Number(opts.timeout);
      if (!Number.isInteger(timeoutSec) || timeoutSec < 10 || timeoutSec > 1800) throw new ClawopsError(`--timeout ${opts.timeout}: want whole seconds from 10 to 1800`);
      const ex = executorFor(g.target);
      try {
        await registerKnownSecrets(ex, spec, ctx.rt.env);
        // it runs the service user's openclaw and starts sandbox containers: not on a contained host
        await refuseWhileContained(ex, spec.stateDir, 'clawops smoke');
        const r = await runSmoke(ex, spec, inst, { timeoutSec, log: g.json ? undefined : (l) => ctx.rt.err(`${l}\n`) });
        if (g.json) printJson(ctx.rt, { ...r, target: ex.target });
        else {
          for (const s of r.steps) printLine(ctx.rt, `${s.status.toUpperCase().padEnd(7)} ${s.name.padEnd(8)} ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.detail}`);
          printLine(ctx.rt, r.ok ? `smoke passed (${r.instance}, session ${r.sessionKey})` : `smoke FAILED (${r.instance}, session ${r.sessionKey})`);
        }
        ctx.setExit(r.ok ? EXIT.ok : EXIT.gate);
      } finally {
        await ex.close();
      }
    });
}
