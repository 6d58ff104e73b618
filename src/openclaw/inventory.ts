/**
 * The inventory of skills, plugins and hooks (facts/inventory.ts) as a root-owned baseline
 * (`<stateDir>/inventory/<inst>.tsv`, root 0600 in a root 0700 directory). Apply records it once,
 * when there is none; it never records a new or changed entry over an existing baseline: a skill
 * that appears by itself is the compromise path both runbooks warn about (ClawHavoc), so it stays
 * a finding (`identity.extensions`) until the operator removes it or accepts what is there now
 * (removes the baseline; the next apply records the current inventory).
 */
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { extensionInventory, inventoryArg, renderInventory, type InventoryEntry } from '../facts/inventory.ts';
import { fileStat } from '../facts/system.ts';
import { type FactReader, known, ref } from '../facts/types.ts';
import { inventoryBaselinePath, workspaceDir } from './paths.ts';

export const inventoryRef = (inst: ResolvedInstance) => ref(extensionInventory, inventoryArg(inst.user, inst.home, inst.stateDir, workspaceDir(inst)));

export function inventoryResourceId(inst: ResolvedInstance): string {
  return `openclaw-inventory:${inst.name}`;
}

const describeCount = (entries: readonly InventoryEntry[]) => {
  const n = entries.length;
  return n === 0 ? 'no skills, plugins or hooks' : `${n} skill${n === 1 ? '' : 's'}, plugins and hooks (${entries.map((e) => `${e.where}/${e.name}`).join(', ')})`;
};

/** Pure: record the inventory when there is no baseline; lock a baseline others could change; else nothing. */
export function planInventory(spec: ResolvedSpec, inst: ResolvedInstance, f: FactReader): PlanOutcome {
  const path = inventoryBaselinePath(spec, inst);
  const st = known(f, ref(fileStat, path));
  const inv = known(f, inventoryRef(inst));
  // the entries the plan shows are what apply records: anything installed after the plan stays a finding
  const change = (action: 'add' | 'change', summary: string): PlannedChange => ({ resourceId: inventoryResourceId(inst), kind: 'openclaw-inventory', action, summary, data: { path, baseline: renderInventory(inv.entries) } });
  if ('missing' in st) return { changes: [change('add', `record the inventory of ${describeCount(inv.entries)} in ${path} (root 0600)`)] };
  if (st.owner !== 'root' || st.mode !== 0o600) return { changes: [change('change', `${path} back to root 0600 (it is ${st.owner} ${st.mode.toString(8)})`)] };
  return { noop: `${path} recorded; a new or changed skill, plugin or hook is a finding (identity.extensions), never recorded by apply` };
}

export function inventoryResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: string[]): Resource {
  const path = inventoryBaselinePath(spec, inst);
  return {
    id: inventoryResourceId(inst),
    kind: 'openclaw-inventory',
    dependsOn,
    needs: () => [inventoryRef(inst), ref(fileStat, path)],
    plan: (f) => planInventory(spec, inst, f),
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      await journal.saveFile(ex, path);
      await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', '--', path.slice(0, path.lastIndexOf('/'))]);
      if (change.action === 'change') {
        const text = (await ex.readFile(path))?.toString('utf8') ?? '';
        await ex.writeFile(path, text, { mode: 0o600, owner: 'root', group: 'root' });
        return;
      }
      await ex.writeFile(path, (change.data as { baseline: string }).baseline, { mode: 0o600, owner: 'root', group: 'root' });
    },
  };
}
