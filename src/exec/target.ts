import { ClawopsError } from '../core/errors.ts';
import { localExecutor } from './local.ts';
import { nspawnExecutor } from './nspawn.ts';
import { parseSshUrl, sshExecutor } from './ssh.ts';
import type { Executor } from './types.ts';

export const TARGET_HINT =
  'use local, ssh://user@host[:port][?identity=KEYFILE&knownHosts=FILE&connectTimeout=SEC] or nspawn:NAME';

export type TargetSpec =
  | { kind: 'local' }
  | { kind: 'ssh'; url: string }
  | { kind: 'nspawn'; name: string };

/**
 * Parses --target: `local` (default), `ssh://user@host[:port][?identity=&knownHosts=&connectTimeout=]`,
 * or `nspawn:NAME` (a testbed container). Anything else is a one-line ClawopsError with a hint.
 */
export function parseTarget(target: string | undefined): TargetSpec {
  const t = (target ?? 'local').trim();
  if (t === 'local') return { kind: 'local' };
  if (/^ssh:\/\//i.test(t)) {
    parseSshUrl(t); // validates, throwing the one-line error
    return { kind: 'ssh', url: t };
  }
  if (t.startsWith('nspawn:')) {
    const name = t.slice(7);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
      throw new ClawopsError(`invalid --target ${t}: ${name ? `"${name}" is not a machine name` : 'no machine name'}`, {
        hint: 'use nspawn:NAME with the name `npm run testbed -- status` shows',
      });
    }
    return { kind: 'nspawn', name };
  }
  const guess = /^[\w.-]+@[\w.:[\]-]+$/.test(t) ? `; did you mean ssh://${t}?` : '';
  throw new ClawopsError(`unknown --target ${t || '(empty)'}${guess}`, { hint: TARGET_HINT });
}

export function executorFor(target: string | undefined): Executor {
  const spec = parseTarget(target);
  if (spec.kind === 'local') return localExecutor();
  if (spec.kind === 'ssh') return sshExecutor(parseSshUrl(spec.url));
  return nspawnExecutor(spec.name);
}
