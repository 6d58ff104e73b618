import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { MODULES, moduleDef } from '../../fleet/ansible-modules.ts';
import { runModule, type ModuleResult, type Ran, type Runner } from '../../fleet/ansible-run.ts';
import { EXIT, type CliContext } from '../program.ts';

/** This clawops again, as a child: the module maps what the CLI prints with --json, exactly as an operator would run it. */
const self: Runner = (argv) => new Promise<Ran>((resolve) => {
  const child = spawn(process.execPath, [process.argv[1] ?? '', '--target', 'local', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', (e) => resolve({ code: 1, stdout: '', stderr: e.message }));
  child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
});

export function registerAnsibleCommand(program: Command, ctx: CliContext): void {
  program
    .command('ansible')
    .argument('<module>', `the module: ${MODULES.map((m) => m.name).join(', ')}`)
    .argument('<args-file>', "Ansible's JSON arguments file")
    .description('run a module of the Ansible collection (ansible/) on this host: what its clawops_* shims call; prints the module result as JSON')
    .addHelpText('after', `\n${MODULES.map((m) => `  clawops_${m.name}: ${m.short}`).join('\n')}\nDocs: ansible-doc clawops.gateway.clawops_<module> (after installing the collection from ansible/).`)
    .action(async (name: string, argsFile: string) => {
      const print = (r: ModuleResult) => ctx.rt.out(`${JSON.stringify(r)}\n`);
      ctx.setExit(EXIT.ok); // Ansible reads `failed` from the result
      const def = moduleDef(name);
      if (!def) return print({ changed: false, failed: true, msg: `no clawops module ${name} (modules: ${MODULES.map((m) => m.name).join(', ')})` });
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(readFileSync(argsFile, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        return print({ changed: false, failed: true, msg: `clawops_${name}: cannot read the arguments file ${argsFile}: ${(e as Error).message}` });
      }
      const dir = mkdtempSync(`${tmpdir()}/clawops-ansible-`);
      try {
        print(await runModule(def, raw, self, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
