import { ClawopsError } from '../core/errors.ts';
import { executorFor } from '../exec/target.ts';
import type { Executor } from '../exec/types.ts';

/**
 * A fresh connection to the same target for the guard's confirmation: for ssh a new executor
 * (its own control directory, so a new TCP connection and not the multiplexed master). An ssh
 * target with an identity file or known_hosts of its own must be reopened by the caller with the
 * full target URL (pass `openConfirmConnection` to firewallResources).
 */
export async function defaultConfirmConnection(ex: Executor): Promise<Executor> {
  const t = ex.target;
  if (t === 'local' || t.startsWith('nspawn:') || t.startsWith('ssh://')) return executorFor(t);
  throw new ClawopsError(`cannot open a confirmation connection to ${t}`, {
    hint: 'pass openConfirmConnection for this kind of target',
  });
}
