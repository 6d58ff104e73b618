import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { readFile } from 'node:fs/promises';
import { rotateGatewayToken, type RotateResult } from '../../openclaw/rotate.ts';
import { gatewayTokenId, noteCredentials } from '../../credentials/record.ts';
import { rotateKey, rotatableKey } from '../../credentials/rotate-key.ts';
import { localExecutor } from '../../exec/local.ts';
import { loadSpec } from '../../desired/load.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { waitOption, withHostLock } from '../lock.ts';

export function registerRotateCommand(program: Command, ctx: CliContext): void {
  const rotate = program.command('rotate').description('rotate credentials: the gateway token (gateway-token), provider API keys and bot tokens (key)');
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
      await withHostLock(ctx, cmd, 'clawops rotate gateway-token', opts.wait, {}, async (ex) => {
        const results: RotateResult[] = [];
        for (const inst of spec.resolved.filter((i) => wanted.includes(i.name))) {
          const r = await rotateGatewayToken(ex, inst, spec.openclaw.version, { log: (l) => ctx.rt.err(`${l}\n`) });
          results.push(r);
          await noteCredentials(ex, spec.stateDir, [gatewayTokenId(r.instance)], 'rotate');
          if (!g.json) {
            printLine(ctx.rt, `${r.instance}: rotated; ${r.unit} healthy ${(r.restartMs / 1000).toFixed(1)} s after restart; new token ${r.newToken}, old token ${r.oldToken ?? 'none before'}`);
          }
        }
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, rotated: results });
        return EXIT.ok;
      });
    });

  rotate
    .command('key')
    .description('replace a provider API key or a bot token through its spec reference: staged, applied to every instance, proven (getMe; an agent turn), the old value removed, the time recorded')
    .argument('<credential>', 'provider:<id> or channel:<id> (see `clawops check --only credentials.age`)')
    .option('--from-file <path>', 'the new value: the first line of this file (on the machine clawops runs on)')
    .option('--from-command <cmd>', 'the new value: the first line this command prints (run by sh here, e.g. a secret manager\'s CLI)')
    .option('--from-stdin', 'the new value: standard input')
    .addOption(waitOption())
    .addHelpText('after', `
A file reference ({file: /etc/clawops/x}) takes the new value from one --from-* option and is
rewritten atomically; an env reference ({env: VAR}) is rotated by exporting the new value first and
running this without --from-*. Killed at any step, run it again (without --from-*) and it converges.`)
    .action(async (id: string, opts: { fromFile?: string; fromCommand?: string; fromStdin?: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      rotatableKey(await loadSpec(g.spec, ctx.rt), id);
      const newValue = await newValueFrom(ctx, opts);
      // allowed while contained: the keys a compromise may have read are replaced before `emergency recover`
      await withHostLock(ctx, cmd, `clawops rotate key ${id}`, opts.wait, { whileContained: true }, async (ex, spec) => {
        const r = await rotateKey(ex, spec, id, { newValue, env: ctx.rt.env, log: (l) => ctx.rt.err(`${l}\n`) });
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, ...r });
        else {
          printLine(ctx.rt, `${r.credential}: rotated${r.resumed ? ' (resumed)' : ''}; ${r.verified}`);
          for (const i of r.instances) printLine(ctx.rt, `  ${i.name}: ${i.restarted ? `${i.unit} healthy ${((i.healthyMs ?? 0) / 1000).toFixed(1)} s after restart` : `${i.unit} was not running: the file is written, nothing restarted`}`);
          if (r.oldValueLeft.length > 0) printLine(ctx.rt, `  the old value is still in: ${r.oldValueLeft.join(', ')} (OpenClaw's own copies; revoke it at the provider)`);
        }
        return EXIT.ok;
      });
    });
}

/** The new value from exactly one of the --from-* options (none: resume, or an env reference). */
async function newValueFrom(ctx: CliContext, o: { fromFile?: string; fromCommand?: string; fromStdin?: boolean }): Promise<string | undefined> {
  const given = [o.fromFile, o.fromCommand, o.fromStdin].filter((x) => x !== undefined && x !== false);
  if (given.length > 1) throw new ClawopsError('give the new value one way', { hint: 'one of --from-file, --from-command, --from-stdin' });
  let text: string | undefined;
  if (o.fromFile !== undefined) {
    text = await readFile(o.fromFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new ClawopsError(`cannot read ${o.fromFile}: ${err.code ?? err.message}`, { hint: 'a file holding the new value on its first line' });
    });
  } else if (o.fromCommand !== undefined) {
    const r = await localExecutor().run(['sh', '-c', o.fromCommand], { allowFailure: true, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new ClawopsError(`--from-command exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}`, { hint: 'the command must print the new value and exit 0' });
    text = r.stdout;
  } else if (o.fromStdin) {
    if (!ctx.rt.readStdin) throw new ClawopsError('--from-stdin needs the value piped in, not typed at a terminal', { hint: 'e.g. `secret-tool lookup ... | clawops rotate key ID --from-stdin`, or --from-file' });
    text = await ctx.rt.readStdin();
  }
  if (text === undefined) return undefined;
  const v = text.split('\n')[0]?.trim() ?? '';
  if (!v) throw new ClawopsError('the new value is empty', { hint: 'the key or token on the first line' });
  return v;
}
