/**
 * Drop-ins change the unit systemd runs without touching the file clawops renders: a
 * `User=root` or a `ProtectSystem=no` in `<unit>.d/*.conf` undoes the hardening while the unit
 * file still reads right. clawops makes none, so every drop-in of the gateway unit is drift: the
 * gate reads `DropInPaths` from `systemctl show` (the effective unit) and apply removes the ones
 * in /etc or /run (journaled, so undo puts them back); one shipped under /usr is a manual fix.
 */
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { systemdUnit, type UnitValue } from '../facts/systemd.ts';
import { known, ref } from '../facts/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';

const REMOVABLE = /^\/(etc|run)\/systemd\/system(\.control)?\/[^/]+\.d\/[^/]+\.conf$/;

/** The drop-in files systemd merges into the unit (`DropInPaths=`, space separated). */
export function dropInPaths(u: UnitValue): string[] {
  return (u.DropInPaths ?? '').split(/\s+/).filter(Boolean);
}

export const isRemovableDropIn = (p: string): boolean => REMOVABLE.test(p);

export function planDropIns(id: string, unit: string, paths: readonly string[]): PlanOutcome {
  if (paths.length === 0) return { noop: `${unit} runs as its unit file says (no drop-ins)` };
  const manual = paths.filter((p) => !isRemovableDropIn(p));
  const changes: PlannedChange[] = paths.filter(isRemovableDropIn).map((path) => ({
    resourceId: id,
    kind: 'systemd-dropin',
    action: 'remove',
    summary: `remove drop-in ${path}: it changes the effective ${unit} and clawops made none`,
    data: { path, unit },
  }));
  if (changes.length === 0) return { noop: `drop-ins outside /etc and /run left alone (remove by hand): ${manual.join(', ')}` };
  return { changes };
}

export function unitDropInsResource(inst: ResolvedInstance, dependsOn: string[]): Resource {
  const id = `openclaw-unit-dropins:${inst.name}`;
  return {
    id,
    kind: 'systemd-dropins',
    dependsOn,
    needs: () => [ref(systemdUnit, inst.unit)],
    plan: (f) => planDropIns(id, inst.unit, dropInPaths(known(f, ref(systemdUnit, inst.unit)))),
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const { path, unit } = change.data as { path: string; unit: string };
      await journal.saveFile(ex, path);
      await ex.run(['rm', '-f', '--', path]);
      await journal.saveStep('systemctl daemon-reload', null);
      await ex.run(['systemctl', 'daemon-reload']);
      // the running gateway still runs with the drop-in's settings: restart it (a stopped one stays stopped)
      await ex.run(['systemctl', 'try-restart', '--', unit], { timeoutMs: 360_000 });
    },
  };
}
