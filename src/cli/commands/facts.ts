/** `clawops facts`: probe the target and record every probe's raw output (secrets sanitised). */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { executorFor } from '../../exec/target.ts';
import { collectRaw, factReader } from '../../facts/collect.ts';
import { factsFile } from '../../facts/file.ts';
import type { Profile } from '../../facts/paths.ts';
import { isUnknown } from '../../facts/types.ts';
import { openclawForbidden, planRun } from '../../checks/run.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import type { CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { profileOption } from './check.ts';

export function registerFactsCommand(program: Command, ctx: CliContext): void {
  program
    .command('facts')
    .description('probe the facts a profile needs and print them, or record their raw output with --out (for `clawops check --facts`)')
    .addOption(profileOption())
    .option('--out <file>', 'write every probe\'s raw output to FILE (mode 600)')
    .action(async (opts: { profile: Profile; out?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      await registerKnownSecrets(ex, spec, ctx.rt.env);
      const now = new Date();
      try {
        const planned = planRun({ spec, profile: opts.profile, now });
        const refs = planned.flatMap((p) => p.refs);
        const raw = await collectRaw(ex, refs, { forbidOpenclaw: await openclawForbidden(ex, { profile: opts.profile, spec }) });
        if (opts.out) {
          try {
            await writeFile(opts.out, `${JSON.stringify(factsFile(ex.target, now, opts.profile, spec, raw), null, 2)}\n`, { mode: 0o600 });
          } catch (cause) {
            throw new ClawopsError(`cannot write ${opts.out}`, { cause, hint: 'check the --out path' });
          }
          printLine(ctx.rt, `recorded ${raw.size} facts from ${ex.target} to ${opts.out}; evaluate with: clawops check --facts ${opts.out}`);
          return;
        }
        const facts = factReader(raw);
        const seen = new Set<string>();
        const values: Record<string, unknown> = {};
        for (const r of refs) {
          if (seen.has(r.key)) continue;
          seen.add(r.key);
          values[r.key] = facts.get(r);
        }
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, collectedAt: now.toISOString(), facts: values });
        else for (const [k, v] of Object.entries(values)) printLine(ctx.rt, `${k}: ${isUnknown(v) ? `unknown (${v.unknown})` : JSON.stringify(v)}`);
      } finally {
        await ex.close();
      }
    });
}
