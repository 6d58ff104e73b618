/**
 * Side-by-side installs: each version in its own npm prefix `<npmPrefix>.versions/<version>`,
 * and the instance's npm prefix (what the unit's ExecStart `<npmPrefix>/bin/openclaw` and the
 * `oc` wrapper use) a symlink to one of them. Switching is one rename(2) of a new symlink over
 * the old one: atomic, and never a moment without a prefix once adopted.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';

export const versionsRoot = (inst: ResolvedInstance): string => `${inst.npmPrefix}.versions`;
export const versionDir = (inst: ResolvedInstance, version: string): string => `${versionsRoot(inst)}/${version}`;
/** The same instance with its npm prefix at one version dir (for install.ts's argv and state reader). */
export const atVersion = (inst: ResolvedInstance, version: string): ResolvedInstance => ({
  ...inst,
  npmPrefix: versionDir(inst, version),
  bin: `${versionDir(inst, version)}/bin/openclaw`,
});

/** The symlink target relative to the prefix's parent (the home), so the link survives a moved home. */
export function linkTarget(inst: ResolvedInstance, version: string): string {
  const root = versionsRoot(inst);
  return `${root.slice(root.lastIndexOf('/') + 1)}/${version}`;
}

/** sh script: atomic flip of $1 (the prefix) to the relative target $2, owned by $3. */
export const FLIP_SCRIPT = 'set -eu; tmp="$1.clawops-flip"; rm -f -- "$tmp"; ln -s -- "$2" "$tmp"; chown -h -- "$3" "$tmp"; mv -T -- "$tmp" "$1"';

/**
 * A prefix that is still a plain directory (installed by `clawops apply` before side-by-side
 * installs) becomes `<versions>/<version>` and the prefix a symlink to it. Call with the unit stopped.
 */
export async function adoptPrefix(ex: Executor, inst: ResolvedInstance, installed: string): Promise<boolean> {
  const st = await ex.stat(inst.npmPrefix);
  if (!st || st.type === 'symlink') return false;
  if (st.type !== 'directory') throw new ClawopsError(`${inst.npmPrefix} is neither a directory nor a symlink`, { hint: 'move it aside and run `clawops apply`' });
  const dest = versionDir(inst, installed);
  if (await ex.stat(dest)) throw new ClawopsError(`${dest} exists already, cannot adopt ${inst.npmPrefix}`, { hint: `remove one of them by hand` });
  await ex.run(['install', '-d', '-m', '0755', '-o', inst.user, '-g', inst.user, versionsRoot(inst)]);
  await ex.run(['mv', '-T', '--', inst.npmPrefix, dest]);
  await ex.run(['sh', '-c', FLIP_SCRIPT, 'sh', inst.npmPrefix, linkTarget(inst, installed), `${inst.user}:${inst.user}`]);
  return true;
}

export async function switchTo(ex: Executor, inst: ResolvedInstance, version: string): Promise<void> {
  if (!(await ex.stat(`${versionDir(inst, version)}/bin/openclaw`))) {
    throw new ClawopsError(`openclaw ${version} is not installed side by side (${versionDir(inst, version)}/bin/openclaw missing)`, {
      hint: `install it with \`clawops upgrade ${version}\``,
    });
  }
  await ex.run(['sh', '-c', FLIP_SCRIPT, 'sh', inst.npmPrefix, linkTarget(inst, version), `${inst.user}:${inst.user}`]);
}

/** The version the prefix points at (`readlink`), or undefined when it is not one of ours. */
export async function linkedVersion(ex: Executor, inst: ResolvedInstance): Promise<string | undefined> {
  const r = await ex.run(['readlink', '--', inst.npmPrefix], { allowFailure: true });
  if (r.exitCode !== 0) return undefined;
  const t = r.stdout.trim();
  const want = `${linkTarget(inst, '')}`;
  return t.startsWith(want) ? t.slice(want.length) : undefined;
}
