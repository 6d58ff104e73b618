/** `clawops checks list`: the catalogue. */
import type { Command } from 'commander';
import { CATALOGUE } from '../../checks/catalogue.ts';
import { catalogueEntries, renderCatalogueTable } from '../../views/catalogue.ts';
import type { CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

export function registerChecksCommands(program: Command, ctx: CliContext): void {
  const checks = program.command('checks').description('the check catalogue');
  checks
    .command('list')
    .description('list every check: id, title, severity, profiles, runbook step, remediation')
    .option('--json', 'machine-readable output', false)
    .action((opts: { json: boolean }, cmd: Command) => {
      if (opts.json || ctx.globals(cmd).json) printJson(ctx.rt, { schemaVersion: 1, checks: catalogueEntries(CATALOGUE) });
      else for (const l of renderCatalogueTable(CATALOGUE)) printLine(ctx.rt, l);
    });
}
