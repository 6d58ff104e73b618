/**
 * The host lock as the commands that change a host take it: `--wait SECONDS` (default 30: a timer's
 * short check is waited out, a long apply or backup is named), taken before anything is read for a
 * change, released (and the holder gone) when the command ends. See core/lock.ts.
 */
import { Option } from 'commander';
import { ClawopsError } from '../core/errors.ts';
import { acquireLock, DEFAULT_WAIT_SEC, type HeldLock } from '../core/lock.ts';
import { lockHeldPause } from '../engine/fault.ts';
import type { Command } from 'commander';
import { loadSpec } from '../desired/load.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { registerKnownSecrets } from '../desired/secrets.ts';
import { executorFor } from '../exec/target.ts';
import type { Executor } from '../exec/types.ts';
import type { CliContext } from './program.ts';

export const waitOption = () =>
  new Option('--wait <seconds>', 'how long to wait for another clawops command holding the host lock (0: fail at once)')
    .env('CLAWOPS_WAIT')
    .default(String(DEFAULT_WAIT_SEC));

export function parseWait(v: string | undefined): number {
  const s = v ?? String(DEFAULT_WAIT_SEC);
  if (!/^\d+(\.\d+)?$/.test(s)) {
    throw new ClawopsError(`--wait must be a number of seconds, got ${JSON.stringify(s)}`, {
      hint: 'e.g. --wait 0 (fail at once) or --wait 600',
    });
  }
  return Number(s);
}

/** Take the host lock for `command` on `ex`; progress (waiting for whom) goes to stderr. */
export async function takeHostLock(
  ctx: CliContext,
  ex: Executor,
  stateDir: string,
  command: string,
  wait: string | undefined,
  opts: { whileContained?: boolean } = {},
): Promise<HeldLock> {
  const note = (l: string) => ctx.rt.err(`${l}\n`);
  const lock = await acquireLock(ex, stateDir, command, { waitSec: parseWait(wait), note, ...opts });
  await lockHeldPause(ctx.rt.env);
  return lock;
}

/**
 * A command's whole run under the host lock: the spec, the executor with the host's secrets
 * registered, the lock; `fn` returns the exit code; the lock is released and the executor closed
 * however it ends.
 */
export async function withHostLock(
  ctx: CliContext,
  cmd: Command,
  command: string,
  wait: string | undefined,
  opts: { whileContained?: boolean },
  fn: (ex: Executor, spec: ResolvedSpec, lock: HeldLock) => Promise<number>,
): Promise<void> {
  const g = ctx.globals(cmd);
  const spec = await loadSpec(g.spec, ctx.rt);
  const ex = executorFor(g.target);
  let lock: HeldLock | undefined;
  try {
    await registerKnownSecrets(ex, spec, ctx.rt.env);
    lock = await takeHostLock(ctx, ex, spec.stateDir, command, wait, opts);
    ctx.setExit(await fn(ex, spec, lock));
  } finally {
    await lock?.release();
    await ex.close();
  }
}
