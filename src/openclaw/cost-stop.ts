/**
 * The cost stop (the runbook's "Unexpected API bill" procedure, automated): OpenClaw has no spend
 * cap, so with `cost.stop: true` a check timer whose `cost.budget` fails stops that gateway and
 * records why (`<stateDir>/cost-stop.json`, root 0600), which `clawops status` shows. The gateway
 * stays stopped (systemd does not restart a unit stopped on purpose) until an operator starts it:
 * `systemctl start <unit>`, or `clawops apply`. Still over budget, the next timer run stops it again.
 */
import type { CheckResult } from '../checks/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';

export interface CostStop {
  instance: string;
  unit: string;
  at: string;
  /** the check's evidence: how far over which budget */
  why: string;
}

export const costStopPath = (spec: ResolvedSpec): string => `${spec.stateDir}/cost-stop.json`;

/** Pure: the record's text (absent or not a record: none). */
export function parseCostStops(text: string | null): CostStop[] {
  if (text === null) return [];
  try {
    const j = JSON.parse(text) as unknown;
    return Array.isArray(j) ? j.filter((x): x is CostStop => x !== null && typeof x === 'object' && typeof (x as CostStop).instance === 'string' && typeof (x as CostStop).at === 'string') : [];
  } catch {
    return [];
  }
}

/** Stops each gateway whose budget check failed (when the spec says so); returns what it stopped. */
export async function enforceCostStop(ex: Executor, spec: ResolvedSpec, results: readonly CheckResult[], now: Date): Promise<CostStop[]> {
  if (!spec.cost.stop) return [];
  const over = results.filter((r) => r.id === 'cost.budget' && r.status === 'fail' && r.instance !== undefined);
  const stops: CostStop[] = [];
  for (const r of over) {
    const inst = spec.resolved.find((i) => i.name === r.instance);
    if (!inst) continue;
    const active = await ex.run(['systemctl', 'is-active', '--quiet', '--', inst.unit], { allowFailure: true });
    if (active.exitCode !== 0) continue;
    await ex.run(['systemctl', 'stop', '--', inst.unit], { timeoutMs: 360_000 });
    stops.push({ instance: inst.name, unit: inst.unit, at: now.toISOString(), why: r.evidence });
  }
  if (stops.length > 0) {
    const kept = parseCostStops((await ex.readFile(costStopPath(spec)))?.toString('utf8') ?? null).filter((s) => !stops.some((n) => n.instance === s.instance));
    await ex.writeFile(costStopPath(spec), `${JSON.stringify([...kept, ...stops], null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
  }
  return stops;
}

/** The stops still in force: the record's, for gateways that are not running now. */
export async function costStopsInForce(ex: Executor, spec: ResolvedSpec): Promise<CostStop[]> {
  const all = parseCostStops((await ex.readFile(costStopPath(spec)))?.toString('utf8') ?? null);
  const out: CostStop[] = [];
  for (const s of all) {
    const active = await ex.run(['systemctl', 'is-active', '--quiet', '--', s.unit], { allowFailure: true });
    if (active.exitCode !== 0) out.push(s);
  }
  return out;
}

export const costStopLine = (s: CostStop): string => `${s.unit} STOPPED by the cost guard at ${s.at}: ${s.why} (start it when the spend is understood: systemctl start ${s.unit})`;
