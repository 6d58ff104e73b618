/** The post-switch gate: a bounded wait for health, then the go-live checks (all, or the ids asked for). */
import { runChecks, summarize, type FailOn } from '../checks/run.ts';
import type { Executor } from '../exec/types.ts';
import { healthWithin } from '../openclaw/probe.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

export interface GateOptions {
  /** go-live check ids to run after health; undefined = the whole go-live profile; [] = health only */
  checks?: readonly string[];
  failOn?: FailOn;
  healthTimeoutSec?: number;
}

export async function runGate(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, version: string, opts: GateOptions): Promise<{ ok: boolean; detail: string }> {
  const h = await healthWithin(ex, inst, version, opts.healthTimeoutSec ?? 180);
  if (!h.ok) return h;
  if (opts.checks && opts.checks.length === 0) return h;
  const specAt: ResolvedSpec = { ...spec, openclaw: { ...spec.openclaw, version } };
  const { results } = await runChecks(ex, { spec: specAt, profile: 'go-live', now: new Date(), ...(opts.checks ? { only: opts.checks } : {}) });
  const mine = results.filter((r) => r.instance === undefined || r.instance === inst.name);
  const s = summarize(mine, opts.failOn ?? 'warn', false);
  const blocking = mine.filter((r) => r.status === 'fail' || r.status === 'unknown').map((r) => `${r.id} ${r.status}`);
  return {
    ok: s.gate === 'pass' && s.total > 0,
    detail: `${h.detail}; go-live ${s.gate}: ${s.byStatus.pass}/${s.total} pass${blocking.length ? ` (${blocking.slice(0, 6).join(', ')})` : ''}`,
  };
}
