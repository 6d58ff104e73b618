import { ClawopsError } from '../core/errors.ts';
import { localExecutor } from './local.ts';
import { nspawnExecutor } from './nspawn.ts';
import { parseSshUrl, sshExecutor } from './ssh.ts';
import type { Executor } from './types.ts';

/** `local` (default), `ssh://user@host[:port]`, or `nspawn:NAME` (a testbed container). */
export function executorFor(target: string | undefined): Executor {
  const t = target ?? 'local';
  if (t === 'local') return localExecutor();
  if (t.startsWith('ssh://')) {
    try {
      return sshExecutor(parseSshUrl(t));
    } catch (cause) {
      throw new ClawopsError(`invalid --target ${t}`, { cause, hint: 'use ssh://user@host[:port]' });
    }
  }
  if (t.startsWith('nspawn:') && t.length > 7) return nspawnExecutor(t.slice(7));
  throw new ClawopsError(`unknown --target ${t}`, {
    hint: 'use local, ssh://user@host[:port] or nspawn:NAME',
  });
}
