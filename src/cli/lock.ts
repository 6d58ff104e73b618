/**
 * The host lock as the commands that change a host take it: `--wait SECONDS` (default 30: a timer's
 * short check is waited out, a long apply or backup is named), taken before anything is read for a
 * change, released (and the holder gone) when the command ends. See core/lock.ts.
 */
import { Option } from 'commander';
import { ClawopsError } from '../core/errors.ts';
import { acquireLock, DEFAULT_WAIT_SEC, type HeldLock } from '../core/lock.ts';
import { lockHeldPause } from '../engine/fault.ts';
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
