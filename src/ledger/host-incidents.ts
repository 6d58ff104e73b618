/**
 * Incidents in the host's ledger for commands that open, list or resolve them as part of their work
 * (the emergency procedures): here when the target is this host, else by the clawops installed on
 * the target (a holder of the host lock lends it). A ledger problem is returned, never thrown: the
 * procedure goes on and says it.
 */
import type { HeldLock } from '../core/lock.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { onHostLedger, recordOnHost, remoteLedgerCommand } from './host.ts';
import { listIncidents, updateIncident } from './query.ts';
import { openManualIncident } from './record.ts';

/** Opens the containment incident in the host's ledger: here, or by the clawops installed on the target. */
export function incidentOpener(ex: Executor, spec: ResolvedSpec, now: Date, held: HeldLock) {
  return async (key: string, title: string, evidence: string): Promise<{ id: number | null; note?: string }> => {
    if (ex.target === 'local') {
      const r = recordOnHost(ex, spec, now, (l) => openManualIncident(l, { at: now, key, title, severity: 'critical', evidence }));
      return r.value ? { id: r.value.id } : { id: null, note: r.notes.join('; ') };
    }
    try {
      const r = await remoteLedgerCommand(ex, ['--json', 'incident', 'open', '--key', key, '--severity', 'critical', '--title', title, '--evidence', evidence], held);
      if (r.exitCode !== 0) return { id: null, note: r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}` };
      return { id: (JSON.parse(r.stdout) as { incident: { id: number } }).incident.id };
    } catch (err) {
      return { id: null, note: (err as Error).message };
    }
  };
}

export async function incidentsJson(ex: Executor, spec: ResolvedSpec, now: Date): Promise<{ json: string } | { error: string }> {
  try {
    if (ex.target === 'local') return { json: JSON.stringify(onHostLedger(spec, now, (l) => listIncidents(l, { all: true, limit: 1000 })).value, null, 2) };
    const r = await remoteLedgerCommand(ex, ['--json', 'incident', 'list', '--all', '--limit', '1000']);
    return r.exitCode === 0 ? { json: r.stdout } : { error: r.stderr.trim() || `exit ${r.exitCode}` };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Resolves the incident in the host's ledger (here, or by the clawops installed there); returns why it could not. */
export function incidentResolver(ex: Executor, spec: ResolvedSpec, held: HeldLock) {
  return async (id: number, note: string): Promise<string | null> => {
    try {
      if (ex.target === 'local') {
        onHostLedger(spec, new Date(), (l) => updateIncident(l, id, 'resolve', note, new Date()));
        return null;
      }
      const r = await remoteLedgerCommand(ex, ['incident', 'resolve', String(id), '--note', note], held);
      return r.exitCode === 0 ? null : r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}`;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

