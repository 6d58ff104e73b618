import type { Command } from 'commander';
import { exampleSpec } from '../../desired/example.ts';
import { specJsonSchema } from '../../desired/json-schema.ts';
import { problemCount } from '../../desired/errors.ts';
import { readSpec } from '../../desired/load.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, useColor } from '../runtime.ts';
import { style } from '../../views/style.ts';

export function registerSpecCommands(program: Command, ctx: CliContext): void {
  const spec = program.command('spec').description('write, validate and describe the clawops spec (clawops.yaml)');

  spec
    .command('init')
    .description('print a complete, commented example spec (every default shown)')
    .action(() => {
      ctx.rt.out(exampleSpec());
    });

  spec
    .command('validate')
    .description('validate a spec: every problem with its path and line; exit 1 when invalid')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const result = await readSpec(g.spec);
      for (const w of (result.ok && result.warnings) || []) ctx.rt.err(`clawops: warning: ${w}\n`);
      if (g.json) {
        printJson(ctx.rt, {
          schemaVersion: 1,
          source: result.source,
          valid: result.ok,
          problems: result.ok ? [] : result.problems,
          ...(result.ok && result.warnings ? { warnings: result.warnings } : {}),
          ...(result.ok ? { instances: result.spec.resolved } : {}),
        });
      } else if (result.ok) {
        const s = style(useColor(ctx.rt, g));
        printLine(ctx.rt, `${s.green('valid')}: ${result.source} (${result.spec.resolved.length} instance${result.spec.resolved.length === 1 ? '' : 's'}: ${result.spec.resolved.map((i) => `${i.name}@127.0.0.1:${i.port} as ${i.user}`).join(', ')})`);
      } else {
        const s = style(useColor(ctx.rt, g));
        const n = problemCount(result.problems);
        ctx.rt.err(`${s.red('invalid')}: ${result.source}: ${n} problem${n === 1 ? '' : 's'}\n`);
        for (const p of result.problems) ctx.rt.err(`  ${s.bold(p.path)}${p.line ? ` (line ${p.line})` : ''}: ${p.message}\n`);
        ctx.rt.err('  next: fix these keys (`clawops spec schema` lists every key and type)\n');
      }
      ctx.setExit(result.ok ? EXIT.ok : EXIT.error);
    });

  spec
    .command('schema')
    .description('print the JSON Schema of the spec (generated from the validator)')
    .action(() => {
      ctx.rt.out(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
    });
}
