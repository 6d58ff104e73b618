/** The UFW resource: read `ufw status verbose` + `ufw show added` + /etc/default/ufw + SSH sessions. */
import type { Journal, PlannedChange, PlanOutcome, Resource } from '../../engine/types.ts';
import type { Executor } from '../../exec/types.ts';
import { UFW_FILES, withGuard, type GuardOptions } from '../../firewall/guard.ts';
import { parseSessionProbe, SESSION_PROBE } from '../../firewall/sessions.ts';
import { planUfw, refuseSafetyNetRemoval, UFW_RESOURCE_ID, type UfwChangeData, type UfwPlanInput, type UfwState } from '../../firewall/ufw-plan.ts';
import { parseShowAdded } from '../../firewall/ufw-rules.ts';
import { parseDefaultUfw, parseUfwStatus } from '../../firewall/ufw-status.ts';

export async function readUfw(ex: Executor): Promise<UfwState> {
  const sessions = parseSessionProbe((await ex.run(['sh', '-c', SESSION_PROBE], { allowFailure: true })).stdout);
  const which = await ex.run(['sh', '-c', 'command -v ufw'], { allowFailure: true });
  if (which.exitCode !== 0) {
    return { installed: false, active: false, defaults: { incoming: null, outgoing: null, routed: null }, rules: [], sshSessions: sessions };
  }
  const status = parseUfwStatus((await ex.run(['ufw', 'status', 'verbose'])).stdout);
  const added = parseShowAdded((await ex.run(['ufw', 'show', 'added'])).stdout);
  const file = await ex.readFile('/etc/default/ufw');
  const defaults = file ? parseDefaultUfw(file.toString('utf8')) : status.defaults;
  return {
    installed: true,
    active: status.active,
    defaults,
    rules: added.map((r) => `ufw ${r.text}${r.comment !== null ? ` comment '${r.comment}'` : ''}`),
    sshSessions: sessions,
  };
}

export class UfwResource implements Resource<UfwState> {
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

  read(ex: Executor): Promise<UfwState> {
    return readUfw(ex);
  }

  plan(current: UfwState): PlanOutcome {
    return planUfw(current, this.input);
  }

  async apply(ex: Executor, change: PlannedChange, journal: Journal): Promise<void> {
    const d = change.data as unknown as UfwChangeData;
    if (d.safetyNet) {
      // the plan may be old: check again right before the last way in on port 22 goes
      const sessions = parseSessionProbe((await ex.run(['sh', '-c', SESSION_PROBE], { allowFailure: true })).stdout);
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
