import { Command, CommanderError, Option } from 'commander';
import { ClawopsError, causeChain } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import { SpecError } from '../desired/errors.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import type { GlobalOptions, Runtime } from './runtime.ts';
import { VERSION } from './version.ts';

export const EXIT = { ok: 0, error: 1, gate: 2 } as const;

/** What a command action returns; the exit code is API (0 ok, 1 error, 2 gate failed / changes pending). */
export type CommandResult = number;

export interface CliContext {
  rt: Runtime;
  /** global options merged from the root program */
  globals(cmd: Command): GlobalOptions;
  /** set by an action; read by runCli */
  setExit(code: number): void;
}

/**
 * The command tree, with only the command modules `argv` needs (see commandsFor), so a run pays
 * only for the modules it uses.
 */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('clawops')
    .description('Take one Linux host to a hardened, observed, backed-up OpenClaw gateway, and keep it there.')
    .version(VERSION, '-V, --version', 'print the clawops version')
    .addOption(new Option('-f, --spec <file>', 'the spec file (default: embedded defaults)').env('CLAWOPS_SPEC'))
    .addOption(
      new Option('--target <target>', 'where to act: local, ssh://user@host[:port], nspawn:NAME').env('CLAWOPS_TARGET'),
    )
    .option('--json', 'machine-readable output (stable, with schemaVersion)', false)
    .option('--no-color', 'no ANSI colors (also NO_COLOR)')
    .option('--debug', 'show the cause chain of errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.rt.out(s), writeErr: (s) => ctx.rt.err(s) })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 error (tool failure or invalid input), 2 gate failed or changes pending.
Start with:  clawops check            (read-only go-live gate of this host)
             clawops spec init > clawops.yaml`,
  );
  for (const register of await Promise.all(commandsFor(program, argv).map((e) => e.load()))) register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.rt.out(s), writeErr: (s) => ctx.rt.err(s) });
  return program;
}

/**
 * The commands to load for `argv`: the one its first word names (a word that is neither an option
 * nor a global option's value), none for `--version`, all of them otherwise (help, typos).
 */
function commandsFor(program: Command, argv: readonly string[]): readonly CommandEntry[] {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a === '-V' || a === '--version') return [];
    if (a.startsWith('-')) {
      if (takesValue.has(a)) i++;
      continue;
    }
    const named = COMMANDS.find((c) => c.name === a);
    return named ? [named] : COMMANDS;
  }
  return COMMANDS;
}

/** Run the CLI in-process; returns the exit code. Never exits the process. */
export async function runCli(argv: readonly string[], rt: Runtime): Promise<number> {
  let exit: number = EXIT.ok;
  const ctx: CliContext = {
    rt,
    globals: (cmd) => cmd.optsWithGlobals<GlobalOptions>(),
    setExit: (code) => {
      exit = code;
    },
  };
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successful exits; usage errors are exit 1
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    const debug = argv.includes('--debug');
    reportError(rt, err, debug);
    return err instanceof ClawopsError ? err.exitCode : EXIT.error;
  }
}

export function reportError(rt: Runtime, err: unknown, debug: boolean): void {
  const msg = err instanceof Error ? err.message : String(err);
  rt.err(`clawops: error: ${redact(msg)}\n`);
  if (err instanceof SpecError) {
    for (const p of err.problems) rt.err(`  ${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}\n`);
  }
  if (err instanceof ClawopsError && err.hint) rt.err(`  next: ${redact(err.hint)}\n`);
  if (debug) for (const line of causeChain(err)) rt.err(`  | ${line}\n`);
  else if (!(err instanceof ClawopsError)) rt.err('  next: this is a bug in clawops; re-run with --debug and report it\n');
}
