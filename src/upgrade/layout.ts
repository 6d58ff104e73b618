/**
 * Side-by-side installs: each version in its own npm prefix `<npmPrefix>.versions/<version>`,
 * and the instance's npm prefix (what the unit's ExecStart `<npmPrefix>/bin/openclaw` and the
 * `oc` wrapper use) a symlink to one of them. Switching is one rename(2) of a new symlink over
 * the old one: atomic, and never a moment without a prefix once adopted.
 */
import { ClawopsError } from '../core/errors.ts';
import { safeFsArgv, safeMkdir } from '../core/safe-fs.ts';
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

/**
 * argv of the atomic flip of the prefix to `version` (a new link renamed over the old one, owned by
 * the service user), through core/safe-fs: the prefix sits in the user's home, so nothing on the
 * way may be a link the user swapped in. An argv, so the journal can keep it as an undo step.
 */
export function flipArgv(inst: ResolvedInstance, version: string): string[] {
  return safeFsArgv('symlink', inst.npmPrefix, linkTarget(inst, version), inst.user, inst.user);
}

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
  await safeMkdir(ex, versionsRoot(inst), { mode: 0o755, owner: inst.user, group: inst.user });
  await ex.run(['mv', '-T', '--', inst.npmPrefix, dest]);
  await ex.run(flipArgv(inst, installed));
  return true;
}

export async function switchTo(ex: Executor, inst: ResolvedInstance, version: string): Promise<void> {
  if (!(await ex.stat(`${versionDir(inst, version)}/bin/openclaw`))) {
    throw new ClawopsError(`openclaw ${version} is not installed side by side (${versionDir(inst, version)}/bin/openclaw missing)`, {
      hint: `install it with \`clawops upgrade ${version}\``,
    });
  }
  await ex.run(flipArgv(inst, version));
}

/** The version the prefix points at (`readlink`), or undefined when it is not one of ours. */
export async function linkedVersion(ex: Executor, inst: ResolvedInstance): Promise<string | undefined> {
  const r = await ex.run(['readlink', '--', inst.npmPrefix], { allowFailure: true });
  if (r.exitCode !== 0) return undefined;
  const t = r.stdout.trim();
  const want = `${linkTarget(inst, '')}`;
  return t.startsWith(want) ? t.slice(want.length) : undefined;
}
