/**
 * `clawops emergency cost-stop`: the hardened guide's "Unexpected API bill" procedure. Each gateway
 * is stopped and disabled, and every provider API key is taken out of its `~/.openclaw/.env`, so a
 * gateway started by hand (or by a reboot) cannot spend; the stop is recorded where the cost guard
 * records its own (`<stateDir>/cost-stop.json`, shown by `clawops status`) and an incident opened.
 * The keys stay in their spec references: `clawops rotate key` puts a new one in place, `clawops
 * apply` the referenced ones back and the gateways up again. Idempotent: a second run changes
 * nothing. Runs only root's programs (systemctl, the no-follow file primitive).
 */
import { envTextWithout } from '../core/env-file.ts';
import { safeRead } from '../core/safe-fs.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { costStopPath, parseCostStops, type CostStop } from '../openclaw/cost-stop.ts';
import { dotEnvPath } from '../openclaw/env-secrets.ts';
import { providerKeyVar } from '../openclaw/providers.ts';
import type { Step } from './contain.ts';

export interface CostStopOptions {
  reason: string;
  now: Date;
  openIncident: (key: string, title: string, evidence: string) => Promise<{ id: number | null; note?: string }>;
  log?: (line: string) => void;
}

export interface EmergencyCostStop {
  unchanged: boolean;
  incident: number | null;
  steps: Step[];
}

async function stopGateway(ex: Executor, inst: ResolvedInstance): Promise<Step> {
  const active = (await ex.run(['systemctl', 'is-active', '--quiet', '--', inst.unit], { allowFailure: true })).exitCode === 0;
  const enabled = (await ex.run(['systemctl', 'is-enabled', '--quiet', '--', inst.unit], { allowFailure: true })).exitCode === 0;
  if (!active && !enabled) return { step: `stop ${inst.unit}`, status: 'already', detail: 'stopped and disabled already' };
  if (enabled) await ex.run(['systemctl', 'disable', '--', inst.unit]);
  if (active) await ex.run(['systemctl', 'stop', '--', inst.unit], { timeoutMs: 360_000 });
  return { step: `stop ${inst.unit}`, status: 'done', detail: `${active ? 'stopped' : 'was not running'}${enabled ? ', disabled (no start at boot)' : ''}` };
}

async function removeKeys(ex: Executor, inst: ResolvedInstance, names: readonly string[]): Promise<Step> {
  const path = dotEnvPath(inst);
  const step = `keys out of ${path}`;
  if (names.length === 0) return { step, status: 'already', detail: 'the spec references no provider key' };
  const text = (await safeRead(ex, path))?.toString('utf8');
  const next = text === undefined ? null : envTextWithout(text, names);
  if (next === null) return { step, status: 'already', detail: `${names.join(', ')} not there` };
  await ex.writeFile(path, next, { mode: 0o600, owner: inst.user, group: inst.user });
  return { step, status: 'done', detail: `${names.join(', ')} removed (still in their spec references)` };
}

export async function emergencyCostStop(ex: Executor, spec: ResolvedSpec, opts: CostStopOptions): Promise<EmergencyCostStop> {
  const steps: Step[] = [];
  const add = (s: Step) => {
    steps.push(s);
    opts.log?.(`${s.status.padEnd(9)} ${s.step}: ${s.detail}`);
  };
  const names = Object.entries(spec.providers).filter(([, p]) => p.apiKey !== undefined).map(([id]) => providerKeyVar(id));
  const stops: CostStop[] = [];
  for (const inst of spec.resolved) {
    const run = async (name: string, fn: () => Promise<Step>) => {
      try {
        const s = await fn();
        add(s);
        return s;
      } catch (err) {
        const s: Step = { step: name, status: 'failed', detail: (err as Error).message };
        add(s);
        return s;
      }
    };
    const s = await run(`stop ${inst.unit}`, () => stopGateway(ex, inst));
    if (s.status === 'done') stops.push({ instance: inst.name, unit: inst.unit, at: opts.now.toISOString(), why: `emergency cost-stop: ${opts.reason}` });
    await run(`keys out of ${dotEnvPath(inst)}`, () => removeKeys(ex, inst, names));
  }
  if (stops.length > 0) {
    const kept = parseCostStops((await ex.readFile(costStopPath(spec)))?.toString('utf8') ?? null).filter((s) => !stops.some((n) => n.instance === s.instance));
    await ex.writeFile(costStopPath(spec), `${JSON.stringify([...kept, ...stops], null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
  }
  const changed = steps.some((s) => s.status === 'done');
  const inc = await opts.openIncident('emergency.cost-stop', `cost stop: ${opts.reason}`, steps.map((s) => `${s.step}: ${s.detail}`).join('; '));
  add({ step: 'incident', status: inc.id === null ? 'failed' : 'done', detail: inc.id === null ? `not opened: ${inc.note ?? 'no ledger'}` : `#${inc.id}` });
  return { unchanged: !changed, incident: inc.id, steps };
}
