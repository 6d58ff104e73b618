/** The post-switch gate: a bounded wait for health, then the go-live checks (all, or the ids asked for). */
import { runChecks, summarize, type FailOn } from '../checks/run.ts';
import type { Executor } from '../exec/types.ts';
import { waitHealthy as pollHealth } from '../openclaw/probe.ts';
import type { ResolvedInstance, ResolvedSpec } from '../spec/resolve.ts';

export interface GateOptions {
  /** go-live check ids to run after health; undefined = the whole go-live profile; [] = health only */
  checks?: readonly string[];
  failOn?: FailOn;
  healthTimeoutSec?: number;
}

/** Bounded wait for health (probe.ts's poll), with the deadline in the detail when it never came. */
export async function waitHealthy(ex: Executor, inst: ResolvedInstance, version: string, timeoutSec: number): Promise<{ ok: boolean; detail: string }> {
  const h = await pollHealth(ex, inst, version, timeoutSec * 1000);
  return h.ok ? { ok: true, detail: `${h.detail} after ${(h.ms / 1000).toFixed(1)} s` } : { ok: false, detail: `not healthy within ${timeoutSec} s: ${h.detail}` };
}

export async function runGate(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, version: string, opts: GateOptions): Promise<{ ok: boolean; detail: string }> {
  const h = await waitHealthy(ex, inst, version, opts.healthTimeoutSec ?? 180);
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
