/** Apt packages that must be installed (never removed by clawops). */
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { aptInstall } from './apt-run.ts';

/** package -> installed version, or null when not (fully) installed */
export type AptState = { installed: Record<string, string | null> };
export type AptChangeData = { install: string[] };

export const APT_ID = 'apt:packages';

export function aptPackagesResource(packages: readonly string[], id = APT_ID, dependsOn?: string[]): Resource<AptState> {
  const wanted = [...new Set(packages)].sort();
  return {
    id,
    kind: 'apt-packages',
    ...(dependsOn ? { dependsOn } : {}),
    async read(ex) {
      const r = await ex.run(['dpkg-query', '-W', '-f=${Package}\t${db:Status-Abbrev}\t${Version}\n', '--', ...wanted], { allowFailure: true });
      return parseDpkgQuery(r.stdout, wanted);
    },
    plan: (cur) => planPackages(id, wanted, cur),
    async apply(ex, change, journal) {
      const pkgs = (change.data as AptChangeData).install;
      await journal.saveStep(`apt-get install ${pkgs.join(' ')} (packages stay installed on undo)`, null);
      await aptInstall(ex, pkgs, journal);
    },
  };
}

/** Pure: `dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Version}\n'` output -> state. */
export function parseDpkgQuery(out: string, wanted: readonly string[]): AptState {
  const installed: Record<string, string | null> = Object.fromEntries(wanted.map((p) => [p, null]));
  for (const line of out.split('\n')) {
    const [pkg, status, version] = line.split('\t');
    if (!pkg || !(pkg in installed)) continue;
    installed[pkg] = status?.startsWith('ii') ? (version ?? '') : null;
  }
  return { installed };
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
