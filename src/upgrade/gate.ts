/**
 * The post-switch gate: a bounded wait for health, then the go-live checks (all, or the ids asked
 * for), then with `smokeTimeoutSec` the end-to-end smoke test (an agent turn, a tool call in the sandbox).
 */
import { runChecks, summarize, type FailOn } from '../checks/run.ts';
import type { Executor } from '../exec/types.ts';
import { healthWithin } from '../openclaw/probe.ts';
import { runSmoke } from '../openclaw/smoke.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

export interface GateOptions {
  /** go-live check ids to run after health; undefined = the whole go-live profile; [] = health only */
  checks?: readonly string[];
  failOn?: FailOn;
  healthTimeoutSec?: number;
  /** run `clawops smoke` after the checks, each agent turn within this many seconds */
  smokeTimeoutSec?: number;
}

export async function runGate(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, version: string, opts: GateOptions): Promise<{ ok: boolean; detail: string }> {
  const h = await healthWithin(ex, inst, version, opts.healthTimeoutSec ?? 180);
  if (!h.ok) return h;
  const specAt: ResolvedSpec = { ...spec, openclaw: { ...spec.openclaw, version } };
  const smoked = async (detail: string) => {
    if (opts.smokeTimeoutSec === undefined) return { ok: true, detail };
    const r = await runSmoke(ex, specAt, inst, { timeoutSec: opts.smokeTimeoutSec });
    const bad = r.steps.find((x) => x.status === 'fail');
    return { ok: r.ok, detail: `${detail}; smoke ${r.ok ? 'passed' : `FAILED at ${bad?.name ?? 'answer'}: ${bad?.detail ?? 'no answer'}`}` };
  };
  if (opts.checks && opts.checks.length === 0) return smoked(h.detail);
  const { results } = await runChecks(ex, { spec: specAt, profile: 'go-live', now: new Date(), ...(opts.checks ? { only: opts.checks } : {}) });
  const mine = results.filter((r) => r.instance === undefined || r.instance === inst.name);
  const s = summarize(mine, opts.failOn ?? 'warn', false);
  const blocking = mine.filter((r) => r.status === 'fail' || r.status === 'unknown').map((r) => `${r.id} ${r.status}`);
  const detail = `${h.detail}; go-live ${s.gate}: ${s.byStatus.pass}/${s.total} pass${blocking.length ? ` (${blocking.slice(0, 6).join(', ')})` : ''}`;
  return s.gate === 'pass' && s.total > 0 ? smoked(detail) : { ok: false, detail };
}
