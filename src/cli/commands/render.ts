import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { getArtifact, listArtifacts } from '../../render/registry.ts';
import { executorFor } from '../../exec/target.ts';
import { loadSpec } from '../../desired/load.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

export function registerRenderCommand(program: Command, ctx: CliContext): void {
  program
    .command('render')
    .argument('[artifact]', 'which file to print (see --list)')
    .description('print a file exactly as `clawops apply` would write it for the spec (changes nothing)')
    .option('--list', 'list the artifacts', false)
    .action(async (name: string | undefined, opts: { list: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (opts.list || !name) {
        const all = listArtifacts();
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, artifacts: all.map((a) => ({ name: a.name, description: a.description })) });
        else for (const a of all) printLine(ctx.rt, `${a.name.padEnd(18)} ${a.description}`);
        if (!opts.list && !name) throw new ClawopsError('which artifact?', { hint: 'clawops render <artifact>; the list is above' });
        ctx.setExit(EXIT.ok);
        return;
      }
      const artifact = getArtifact(name);
      const spec = await loadSpec(g.spec);
      const ex = executorFor(g.target);
      try {
        const files = await artifact.render(spec, ex);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, artifact: name, files });
        else if (files.length === 0) ctx.rt.err(`the spec does not ask for ${name} (nothing would be written)\n`);
        else if (files.length === 1) ctx.rt.out(files[0]?.content ?? '');
        else for (const f of files) ctx.rt.out(`# ==> ${f.path} <==\n${f.content}\n`);
        ctx.setExit(EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}
