import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';

/**
 * A fresh connection to the same target for the guard's confirmation, with exactly the target's
 * options: for ssh a new connection (its own control directory, so a new TCP connection and not
 * the multiplexed master) with the same user, port, identity, known_hosts, config and timeout.
 */
export async function defaultConfirmConnection(ex: Executor): Promise<Executor> {
  if (ex.reopen) return ex.reopen();
  throw new ClawopsError(`cannot open a confirmation connection to ${ex.target}`, {
    hint: 'pass openConfirmConnection for this kind of target',
  });
}
