import type { Command } from 'commander';
import { writeRelease } from '../../fleet/release.ts';
import { selfPackage } from '../../resources/self-package.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

export function registerPackageCommand(program: Command, ctx: CliContext): void {
  program
    .command('package')
    .description('write this clawops as a release archive and release.json (name, sha256) into DIR: what the Ansible role installs on each host')
    .requiredOption('--out <dir>', 'the directory to write into (created if missing)')
    .action(async (opts: { out: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const rel = writeRelease(await selfPackage(), opts.out);
      if (g.json) printJson(ctx.rt, rel);
      else printLine(ctx.rt, `wrote ${opts.out}/${rel.archive} (${(rel.bytes / 1_048_576).toFixed(1)} MB, sha256 ${rel.sha256}) and ${opts.out}/release.json`);
      ctx.setExit(EXIT.ok);
    });
}
