import { spawnLocal } from './process.ts';
import { ShellExecutor } from './shell-executor.ts';
import type { RawResult, SpawnOptions, Transport } from './types.ts';

/** Runs on this machine. `user` drops privileges with runuser (root only). */
export class LocalTransport implements Transport {
  readonly target = 'local';
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const full = opts.user ? ['runuser', '-u', opts.user, '--', ...argv] : [...argv];
    return spawnLocal(full, {
      env: { ...process.env, ...opts.env },
      timeoutMs: opts.timeoutMs,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
  }
  async close(): Promise<void> {}
}

export function localExecutor(): ShellExecutor {
  return new ShellExecutor(new LocalTransport());
}
