import { baseEnv, spawnLocal } from './process.ts';
import { ShellExecutor } from './shell-executor.ts';
import type { RawResult, SpawnOptions, StartOptions, Transport } from './types.ts';

/**
 * Runs on this machine. Commands start with a clean environment (PATH, HOME, USER, LOGNAME, TZ,
 * TMPDIR from clawops' own, LANG=C.UTF-8, plus `env`), so nothing from the operator's shell (tokens
 * in variables included) leaks into them. `user` drops privileges with runuser (root only), which
 * stays in the command's process group, so timeouts still kill everything it started.
 */
export class LocalTransport implements Transport {
  readonly target = 'local';
  reopen(): LocalTransport {
    return new LocalTransport();
  }
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const full = opts.user ? ['runuser', '-u', opts.user, '--', ...argv] : [...argv];
    return spawnLocal(full, {
      env: baseEnv(opts.env),
      timeoutMs: opts.timeoutMs,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    });
  }
  startCommand(argv: readonly string[], opts: StartOptions): { argv: string[]; env: NodeJS.ProcessEnv } {
    return { argv: opts.user ? ['runuser', '-u', opts.user, '--', ...argv] : [...argv], env: baseEnv(opts.env) };
  }
  async close(): Promise<void> {}
}

export function localExecutor(): ShellExecutor {
  return new ShellExecutor(new LocalTransport());
}
