/**
 * `clawops emergency recover`: back to service after a containment, never less safe than the step
 * before. The identity files and the workspace's skills and plugins are judged first by the gate's
 * own checks (`identity.baseline`, `identity.extensions`): a change stops recovery there, still
 * contained, for a person to decide. Then a new gateway token is written while the gateway is
 * stopped (the stolen one never serves again), the containment is lifted with the gateways left
 * stopped, the spec is applied (it starts them with the hardened unit, config and modes put back),
 * each gateway is restarted on the new token and proven (new accepted, old refused), and the gate
 * runs. Only a passing gate resolves the incident; a failure anywhere after the lift contains the
 * host again under the same incident. `<stateDir>/recovering.json` keeps the incident while it
 * runs, so a recover that was killed is finished by the next one.
 */
import { runChecks } from '../checks/run.ts';
import { credentialsOf } from '../credentials/inventory.ts';
import { credentialsRecordPath, gatewayTokenId, noteCredentials, parseCredentialRecord } from '../credentials/record.ts';
import { applyPlan } from '../engine/apply.ts';
import { afterApply } from '../engine/registry.ts';
import { buildPlan } from '../engine/plan.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { waitHealthy } from '../openclaw/probe.ts';
import { writeToken } from '../openclaw/rotate.ts';
import { currentToken, generateToken, probeToken } from '../openclaw/token.ts';
import { runGate, type GateOptions } from '../upgrade/gate.ts';
import { contain, type ContainOptions, type Step } from './contain.ts';
import { lift } from './lift.ts';
import { readContainRecord, recoveringPath } from './record.ts';

/** The gate's checks recovery always runs first, and again at the end whatever `--checks` says. */
export const INTEGRITY_CHECKS = ['identity.baseline', 'identity.extensions'] as const;

export interface RecoverOptions {
  gate: GateOptions;
  specSource: string;
  env: NodeJS.ProcessEnv;
  /** resolves the incident in the host's ledger; returns why it could not */
  resolveIncident: (id: number, note: string) => Promise<string | null>;
  /** opens an incident (contain again when there was none) */
  openIncident: ContainOptions['openIncident'];
  log?: (line: string) => void;
}

export interface RecoverResult {
  ok: boolean;
  steps: Step[];
  /** the containment's incident, when there was one */
  incident: number | null;
}

async function readRecovering(ex: Executor, spec: ResolvedSpec): Promise<number | null> {
  try {
    const j = JSON.parse((await ex.readFile(recoveringPath(spec)))?.toString('utf8') ?? 'null') as { incident?: unknown } | null;
    return typeof j?.incident === 'number' ? j.incident : null;
  } catch {
    return null;
  }
}

export async function recover(ex: Executor, spec: ResolvedSpec, o: RecoverOptions): Promise<RecoverResult> {
  const steps: Step[] = [];
  const say = (s: Step) => {
    steps.push(s);
    o.log?.(`${s.status.padEnd(7)} ${s.step}: ${s.detail}`);
  };
  const record = await readContainRecord(ex, spec);
  const incident = record?.incident ?? (await readRecovering(ex, spec));
  const version = spec.openclaw.version;

  const integrity = (await runChecks(ex, { spec, profile: 'go-live', now: new Date(), only: INTEGRITY_CHECKS })).results;
  const bad = integrity.filter((r) => r.status !== 'pass' && r.status !== 'skipped');
  for (const r of integrity) {
    say({ step: `${r.id}${r.instance ? ` ${r.instance}` : ''}`, status: bad.includes(r) ? 'failed' : 'done', detail: bad.includes(r) ? `${r.status}: ${r.evidence} (fix: ${r.remediation}); recover again afterwards${record ? ', the host stays contained' : ''}` : r.evidence });
  }
  if (bad.length > 0) return { ok: false, steps, incident };
  if (record) for (const s of await keysSince(ex, spec, record.at)) say(s);

  await ex.writeFile(recoveringPath(spec), `${JSON.stringify({ incident, startedAt: new Date().toISOString() })}\n`, { mode: 0o600, owner: 'root', group: 'root' });
  const old = new Map<string, string | undefined>();
  try {
    for (const inst of spec.resolved) {
      old.set(inst.name, await currentToken(ex, inst, version));
      await writeToken(ex, inst, version, generateToken());
      say({ step: `gateway token ${inst.name}`, status: 'done', detail: 'a new token written while the gateway is stopped' });
    }
    await noteCredentials(ex, spec.stateDir, spec.resolved.map((i) => gatewayTokenId(i.name)), 'rotate');
    const lifted = await lift(ex, spec, { start: false });
    say({ step: 'containment', status: lifted.record ? 'done' : 'skipped', detail: lifted.record ? `lifted (contained since ${lifted.record.at}); gateways left stopped for apply` : 'the host was not contained' });

    const { plan, resources } = await buildPlan(spec, ex, { specSource: o.specSource });
    const applied = await applyPlan(plan, resources, ex, { stateDir: spec.stateDir, journalRetentionDays: spec.journal.retentionDays, env: o.env, command: 'clawops emergency recover', after: afterApply(spec), ...(o.log ? { progress: o.log } : {}) });
    say({ step: 'apply', status: applied.steps.length ? 'done' : 'already', detail: applied.steps.length ? `${applied.steps.length} change(s), journal ${applied.journalId}` : 'the host matched the spec' });

    let ok = true;
    for (const inst of spec.resolved) {
      await ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
      await ex.run(['systemctl', 'restart', '--', inst.unit], { timeoutMs: 360_000 });
      const h = await waitHealthy(ex, inst, version, 240_000);
      const now = await currentToken(ex, inst, version);
      const fresh = h.ok && now ? await probeToken(ex, inst, now) : 'unreachable';
      const prev = old.get(inst.name);
      const stale = prev && h.ok ? await probeToken(ex, inst, prev) : null;
      const proven = fresh === 'accepted' && stale !== 'accepted';
      ok &&= proven;
      say({ step: `gateway ${inst.name}`, status: proven ? 'done' : 'failed', detail: `${h.ok ? `healthy ${(h.ms / 1000).toFixed(1)} s after restart` : `not healthy: ${h.detail}`}; new token ${fresh}, old token ${stale ?? 'none before'}` });
    }
    const gate: GateOptions = o.gate.checks ? { ...o.gate, checks: [...new Set([...o.gate.checks, 'host.not-contained', ...INTEGRITY_CHECKS])] } : o.gate;
    for (const inst of spec.resolved) {
      if (!ok) break;
      const g = await runGate(ex, spec, inst, version, gate);
      ok &&= g.ok;
      say({ step: `gate ${inst.name}`, status: g.ok ? 'done' : 'failed', detail: g.detail });
    }
    if (!ok) throw new Error('the gateways did not come back clean');
  } catch (err) {
    say({ step: 'recover', status: 'failed', detail: (err as Error).message });
    const again = await contain(ex, spec, { reason: `recover failed: ${(err as Error).message}`.slice(0, 300), now: new Date(), openIncident: o.openIncident, ...(incident !== null ? { incident } : {}) });
    say({ step: 'contained again', status: again.steps.some((s) => s.status === 'failed') ? 'failed' : 'done', detail: `${again.steps.filter((s) => s.status === 'done').length} step(s) redone; incident #${again.record.incident ?? '?'} stays open` });
    return { ok: false, steps, incident: again.record.incident };
  }
  if (incident !== null) {
    const why = await o.resolveIncident(incident, `recovered by clawops emergency recover at ${new Date().toISOString()}: identity verified, new gateway token (old refused), spec applied, gate passed`);
    say({ step: 'incident', status: why ? 'failed' : 'done', detail: why ? `#${incident} not resolved: ${why}` : `#${incident} resolved` });
  }
  await ex.run(['rm', '-f', '--', recoveringPath(spec)]);
  return { ok: true, steps, incident };
}

/**
 * The provider keys and bot tokens, each: rotated since the containment, or not (recover cannot make
 * them: they come from the provider; `clawops rotate key` runs while contained). Never blocking: a
 * person judges whether a key could have been read.
 */
async function keysSince(ex: Executor, spec: ResolvedSpec, containedAt: string): Promise<Step[]> {
  const rec = parseCredentialRecord((await ex.readFile(credentialsRecordPath(spec.stateDir)))?.toString('utf8') ?? null);
  return credentialsOf(spec).filter((c) => c.ref !== undefined).map((c) => {
    const at = rec[c.id]?.how === 'rotate' ? rec[c.id]!.at : undefined;
    return at !== undefined && at >= containedAt
      ? { step: c.id, status: 'done' as const, detail: `rotated ${at}, after the containment` }
      : { step: c.id, status: 'skipped' as const, detail: `not rotated since the containment (${containedAt}): if it could have been read, revoke it at its source, then ${c.rotate} (it runs while contained)` };
  });
}
