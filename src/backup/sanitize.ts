/**
 * A restored snapshot is data from the past, possibly written by the service user (or someone who
 * got hold of the repository): it is not trusted to say what root creates. Right after restic
 * restores into scratch (before verification, before anything moves into place):
 * - device nodes, fifos and sockets are refused (a backup of OpenClaw state holds none);
 * - a symlink must point downward (relative, no `..`, not absolute): anything else could make a
 *   later root step, or the restored service, reach outside the restored tree; refused;
 * - setuid/setgid/sticky bits and group/other write bits are dropped everywhere;
 * then (in-place restore) the modes the spec defines are set, not the snapshot's: the state dir
 * 0700, openclaw.json and the env file 0600.
 * A refusal is a ClawopsError naming the entries; the live state is untouched then.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';

const REFUSED = 6;

export const SANITIZE_SCRIPT = `set -eu
d=$1
bad=$(find "$d" \\( -type b -o -type c -o -type p -o -type s \\) -printf '%y %P\\n' | head -n 20)
links=$(find "$d" -type l -printf '%P -> %l\\n' | grep -E -- ' -> (/|\\.\\.(/|$))|/\\.\\.(/|$)' | head -n 20 || true)
if [ -n "$bad$links" ]; then
  [ -z "$bad" ] || printf '%s\\n' "$bad" | sed 's/^[bc] /device /; s/^p /fifo /; s/^s /socket /'
  [ -z "$links" ] || printf '%s\\n' "$links" | sed 's/^/escaping symlink /'
  exit ${REFUSED}
fi
find "$d" ! -type l \\( -perm /7022 \\) -exec chmod -- ug-s,-t,go-w {} +`;

/** Refuse special files and escaping symlinks, drop setuid/setgid/sticky and group/other write (see the header). */
export async function sanitizeRestored(ex: Executor, dir: string): Promise<void> {
  const r = await ex.run(['sh', '-c', SANITIZE_SCRIPT, 'sh', dir], { allowFailure: true, timeoutMs: 600_000 });
  if (r.exitCode === 0) return;
  if (r.exitCode === REFUSED) {
    const what = r.stdout.trim().split('\n').filter(Boolean);
    const n = `${what.length} entr${what.length === 1 ? 'y' : 'ies'}`;
    throw new ClawopsError(`the restored snapshot holds ${n} clawops will not restore: ${what.join('; ')}`, {
      hint:
        'nothing was put in place; a backup of OpenClaw state has no devices, fifos or links leaving it: ' +
        'pick an older snapshot and find out who wrote these',
    });
  }
  const why = r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
  throw new ClawopsError(`cannot sanitize the restored tree ${dir}: ${why}`, {
    hint: 'check the scratch directory and free disk space',
  });
}

const SPEC_MODES = `set -eu; chmod 0700 -- "$1"
for f in "$2" "$3"; do if [ -f "$f" ] && [ ! -L "$f" ]; then chmod 0600 -- "$f"; fi; done`;

/** The modes the spec gives an instance's state, whatever the snapshot said (only regular files are touched). */
export async function applySpecModes(ex: Executor, state: string, files: { config: string; envFile: string }) {
  await ex.run(['sh', '-c', SPEC_MODES, 'sh', state, files.config, files.envFile]);
}
