/** The UFW resource: plans from the gate's `ufw status verbose` plus `ufw show added`, /etc/default/ufw, SSH sessions. */
import type { Journal, PlannedChange, PlanOutcome, Resource } from '../../engine/types.ts';
import type { Executor } from '../../exec/types.ts';
import { sshSessions, ufwAdded, ufwStatus } from '../../facts/firewall.ts';
import { readFact } from '../../facts/probe.ts';
import { textFile } from '../../facts/system.ts';
import { type FactReader, type FactRef, known, ref } from '../../facts/types.ts';
import { UFW_FILES, withGuard, type GuardOptions } from '../../firewall/guard.ts';
import { planUfw, refuseSafetyNetRemoval, UFW_RESOURCE_ID, type UfwChangeData, type UfwPlanInput, type UfwState } from '../../firewall/ufw-plan.ts';
import type { Policy } from '../../firewall/ufw-rules.ts';
import { parseDefaultUfw } from '../../firewall/ufw-status.ts';
import { fallbackRecordPath, parseFallbackRecord } from '../../fallback/state.ts';

const UFW_DEFAULTS = '/etc/default/ufw';

/** The facts the UFW plan reads: the gate's `ufw status verbose`, `ufw show added`, the defaults file, SSH sessions. */
export const ufwNeeds = (stateDir?: string) => [ref(ufwStatus), ref(ufwAdded), ref(textFile, UFW_DEFAULTS), ref(sshSessions), ...(stateDir ? [ref(textFile, fallbackRecordPath(stateDir))] : [])];

const asPolicy = (w: string | undefined): Policy | null => (w === 'allow' || w === 'deny' || w === 'reject' ? w : null);

export function ufwState(f: FactReader, stateDir?: string): UfwState {
  const sessions = known(f, ref(sshSessions));
  const status = known(f, ref(ufwStatus));
  if (!status.installed) return { installed: false, active: false, defaults: { incoming: null, outgoing: null, routed: null }, rules: [], sshSessions: sessions };
  const file = known(f, ref(textFile, UFW_DEFAULTS)).content;
  const d = status.defaults;
  return {
    installed: true,
    active: status.active,
    // the file is the source of truth: `ufw status` prints no defaults while inactive
    defaults: file !== null ? parseDefaultUfw(file) : { incoming: asPolicy(d.incoming), outgoing: asPolicy(d.outgoing), routed: asPolicy(d.routed) },
    rules: known(f, ref(ufwAdded)).map((r) => `ufw ${r.text}${r.comment !== null ? ` comment '${r.comment}'` : ''}`),
    sshSessions: sessions,
    ...(stateDir ? { fallbackOpen: parseFallbackRecord(known(f, ref(textFile, fallbackRecordPath(stateDir))).content).open } : {}),
  };
}

export class UfwResource implements Resource {
  readonly id = UFW_RESOURCE_ID;
  readonly kind = 'ufw';
  readonly dependsOn: readonly string[];
  private readonly input: UfwPlanInput;
  private readonly guard: Omit<GuardOptions, 'files'>;
  constructor(input: UfwPlanInput, guard: Omit<GuardOptions, 'files'>, dependsOn: readonly string[] = []) {
    this.input = input;
    this.guard = guard;
    this.dependsOn = dependsOn;
  }

  needs(): FactRef<unknown>[] {
    return ufwNeeds(this.input.stateDir);
  }

  plan(f: FactReader): PlanOutcome {
    return planUfw(ufwState(f, this.input.stateDir), this.input);
  }

  async apply(ex: Executor, change: PlannedChange, journal: Journal): Promise<void> {
    const d = change.data as unknown as UfwChangeData;
    if (d.safetyNet) {
      // the plan may be old: check again right before the last way in on port 22 goes
      const sessions = await readFact(ex, ref(sshSessions));
      const refusal = refuseSafetyNetRemoval(sessions, this.input.firewall.managementInterfaces);
      if (refusal) throw refusal;
    }
    await journal.saveStep(change.summary, d.undo);
    // `ufw delete` of a rule already gone (a re-run after an interruption) exits 0; adds are idempotent
    const run = (): Promise<unknown> => ex.run(d.argv);
    if (d.guarded) await withGuard(ex, { ...this.guard, files: UFW_FILES }, change.summary, run);
    else await run();
  }
}
