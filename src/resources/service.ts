/** A systemd unit that must be enabled and running (fail2ban, ...). */
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { systemdUnit } from '../facts/systemd.ts';
import { known, ref } from '../facts/types.ts';

export type ServiceState = { enabled: string; active: string };
export type ServiceChangeData = { unit: string; enable: boolean; start: boolean; undoArgv: string[] | null };

export const serviceId = (unit: string) => `service:${unit}`;

export function serviceResource(unit: string, dependsOn?: string[]): Resource {
  const id = serviceId(unit);
  return {
    id,
    kind: 'service',
    ...(dependsOn ? { dependsOn } : {}),
    needs: () => [ref(systemdUnit, unit)],
    plan(f) {
      const u = known(f, ref(systemdUnit, unit));
      return planService(id, unit, { enabled: u.UnitFileState || (u.LoadState === 'loaded' ? 'unknown' : u.LoadState), active: u.ActiveState });
    },
    async apply(ex, change, journal) {
      const d = change.data as ServiceChangeData;
      await journal.saveStep(`${d.enable ? 'enable' : ''}${d.enable && d.start ? ' and ' : ''}${d.start ? 'start' : ''} ${d.unit}`, d.undoArgv);
      if (d.enable) await ex.run(['systemctl', 'enable', '--', d.unit]);
      if (d.start) {
        // a unit that failed too often has its start limit latched: a start by hand (this) resets it first
        await ex.run(['systemctl', 'reset-failed', '--', d.unit], { allowFailure: true });
        await ex.run(['systemctl', 'start', '--', d.unit], { timeoutMs: 120_000 });
      }
    },
  };
}

export function planService(id: string, unit: string, cur: ServiceState): PlanOutcome {
  const enable = !['enabled', 'static', 'alias', 'indirect', 'generated'].includes(cur.enabled);
  const start = cur.active !== 'active';
  if (!enable && !start) return { noop: `${unit} is ${cur.enabled} and active` };
  const undo = [...(enable ? [['systemctl', 'disable', '--', unit]] : []), ...(start ? [['systemctl', 'stop', '--', unit]] : [])];
  const undoArgv = undo.length === 1 ? (undo[0] as string[]) : ['sh', '-c', undo.map((a) => a.join(' ')).join(' && ')];
  const verb = [enable ? 'enable' : '', start ? 'start' : ''].filter(Boolean).join(' and ');
  return {
    changes: [
      {
        resourceId: id,
        kind: 'service',
        action: enable ? 'add' : 'change',
        summary: `${verb} ${unit} (is ${cur.enabled}, ${cur.active})`,
        data: { unit, enable, start, undoArgv },
      },
    ],
  };
}
