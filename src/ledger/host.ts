/**
 * Where the ledger is: on the host, written by clawops running there. A command running on the
 * host records (and never fails because of the ledger: a problem is a note the caller prints); a
 * command against a remote target records nothing (the host's timers keep its record), and the
 * ledger's own commands run the clawops installed on that host with its installed spec
 * (`remoteLedgerCommand`), so `clawops --target ssh://… incident list` reads that host's ledger.
 */
import { ClawopsError } from '../core/errors.ts';
import { lendLock, type HeldLock } from '../core/lock.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { DEFAULT_SPEC_PATH } from '../openclaw/timers.ts';
import { existsSync } from 'node:fs';
import { openLedger, withLedger, type Ledger } from './db.ts';
import { ledgerPath } from './paths.ts';
import { compact } from './compact.ts';
import type { BurninPolicy } from './query.ts';

export const INSTALLED_CLAWOPS = '/usr/local/bin/clawops';

export const ledgerOf = (spec: ResolvedSpec): string => ledgerPath(spec.stateDir);

export const burninPolicy = (spec: ResolvedSpec): BurninPolicy => ({
  days: spec.burnIn.days,
  maxGapMinutes: spec.burnIn.maxGapMinutes,
  backupRequired: spec.backup.enabled,
});

export interface Recorded<T> {
  value?: T;
  /** what to tell the operator: the ledger was rebuilt, or could not be written (and why) */
  notes: string[];
}

/**
 * Runs `fn` on the host's ledger when `ex` is this host, then compacts it (at most hourly). Never
 * throws: the ledger is a record, not a gate. With `onlyIfThere` (an operator's read-only check),
 * a host without a ledger gets none: a check of an unmanaged machine writes nothing.
 */
export function recordOnHost<T>(ex: Executor, spec: ResolvedSpec, now: Date, fn: (l: Ledger) => T, o: { onlyIfThere?: boolean } = {}): Recorded<T> {
  if (ex.target !== 'local') return { notes: [] };
  if (o.onlyIfThere && !existsSync(ledgerOf(spec))) return { notes: [] };
  try {
    const r = withLedger(ledgerOf(spec), now, (l) => {
      const value = fn(l);
      compact(l, { retentionDays: spec.monitoring.ledger.retentionDays, maxBytes: spec.monitoring.ledger.maxMB * 1024 * 1024 }, now);
      return value;
    });
    return { value: r.value, notes: r.notes };
  } catch (err) {
    return { notes: [`not recorded in the ledger ${ledgerOf(spec)}: ${(err as Error).message}`] };
  }
}

/**
 * Reads (or an operator's write) on this host's ledger; errors are the command's. A host without a
 * ledger reads as an empty one and gets no file (the check timers create it once applied).
 */
export function onHostLedger<T>(spec: ResolvedSpec, now: Date, fn: (l: Ledger) => T): { value: T; notes: string[] } {
  if (existsSync(ledgerOf(spec))) return withLedger(ledgerOf(spec), now, fn);
  const empty = { ...openLedger(':memory:'), path: ledgerOf(spec) };
  try {
    return { value: fn(empty), notes: [`no ledger at ${ledgerOf(spec)} yet: the check timers start it once \`clawops apply\` installed them`] };
  } finally {
    empty.close();
  }
}

/**
 * The same ledger command on a remote host, by the clawops installed there with the spec it last
 * applied: its stdout, stderr and exit code are this command's.
 */
export async function remoteLedgerCommand(ex: Executor, argv: readonly string[], held?: HeldLock): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  // a holder of the host lock lends it: the command there must not wait for its own caller
  const r = await ex.run([INSTALLED_CLAWOPS, '-f', DEFAULT_SPEC_PATH, ...argv], { allowFailure: true, timeoutMs: 120_000, ...(held ? { env: lendLock(held) } : {}) });
  if (r.exitCode === 127 || (r.exitCode !== 0 && r.stderr.includes(`${INSTALLED_CLAWOPS}: No such file`))) {
    throw new ClawopsError(`the ledger lives on ${ex.target}, and clawops is not installed there`, {
      hint: 'run `clawops apply` (it installs clawops and the check timers that keep the ledger), or run this command on the host',
    });
  }
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? 1 };
}
