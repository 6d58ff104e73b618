/** Apt packages that must be installed (never removed by clawops). */
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { dpkgPackage } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { aptInstall } from './apt-run.ts';

/** package -> installed (fully: `ii`) */
export type AptState = { installed: Record<string, boolean> };
export type AptChangeData = { install: string[] };

export const APT_ID = 'apt:packages';

export function aptPackagesResource(packages: readonly string[], id = APT_ID, dependsOn?: string[]): Resource {
  const wanted = [...new Set(packages)].sort();
  return {
    id,
    kind: 'apt-packages',
    ...(dependsOn ? { dependsOn } : {}),
    needs: () => wanted.map((p) => ref(dpkgPackage, p)),
    plan: (f) => planPackages(id, wanted, { installed: Object.fromEntries(wanted.map((p) => [p, known(f, ref(dpkgPackage, p)).installed])) }),
    async apply(ex, change, journal) {
      const pkgs = (change.data as AptChangeData).install;
      await journal.saveStep(`apt-get install ${pkgs.join(' ')} (packages stay installed on undo)`, null);
      await aptInstall(ex, pkgs, journal);
    },
  };
}

export function planPackages(id: string, wanted: readonly string[], cur: AptState): PlanOutcome {
  const missing = wanted.filter((p) => !cur.installed[p]);
  if (missing.length === 0) return { noop: `${wanted.length} packages installed` };
  return {
    changes: [
      {
        resourceId: id,
        kind: 'apt-packages',
        action: 'add',
        summary: `install ${missing.length} package${missing.length === 1 ? '' : 's'}: ${missing.join(' ')}`,
        diff: missing.map((p) => `+ ${p}`).join('\n'),
        data: { install: missing },
      },
    ],
  };
}
