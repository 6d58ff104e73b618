/**
 * Adopting a restored state on this host, before its gateway starts: restic restores the numeric
 * owners of the host the snapshot came from, and OpenClaw's state carries that host's gateway
 * lease. Both are harmless on the same host and fatal on another one (a new host after a disaster,
 * a warm standby): so every in-place restore runs both fix-ups.
 */
import type { Executor } from '../exec/types.ts';
import { serviceTmpDir } from '../openclaw/paths.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';

/**
 * Ownership by name, not by number (uids differ between hosts): restic restores the primary's
 * numeric owners, so under the restored state uid/gid 0 stay root and every other owner and
 * group becomes this host's service user and its primary group. Prints how many entries it
 * re-owned. Also recreates the private TMPDIR (tmp/ is rebuildable and never backed up).
 * Args: $1 state dir, $2 service user, $3 TMPDIR.
 */
export const CHOWN_BY_NAME = `set -eu
d=$1; u=$2; g=$(id -gn -- "$u")
n=$(find "$d" ! -uid 0 ! -user "$u" -exec chown -h -- "$u" {} + -print | wc -l)
m=$(find "$d" ! -gid 0 ! -group "$g" -exec chgrp -h -- "$g" {} + -print | wc -l)
install -d -m 0700 -o "$u" -g "$g" -- "$3"
echo "$n $m"`;

/**
 * OpenClaw (2026.9.x) keeps a "gateway owner lease" in its state DB (`state_leases`, owner
 * {pid, host, startedAt}, renewed by the live gateway, expiring 5 min later). A snapshot of a live
 * primary carries the primary's lease; on another host OpenClaw cannot tell whether that owner is
 * dead (`unknown`), so the standby's gateway refuses to start ("Another Gateway owner lease is still
 * active") until it expires, and systemd's start limit gives up first. A lease owned by another host
 * cannot be live on the standby's own copy of the state: remove those (run as the service user).
 * Prints how many were removed. Args: $1 state dir.
 */
export const CLEAR_FOREIGN_LEASES = `set -eu
db="$1/state/openclaw.sqlite"
[ -f "$db" ] || { echo 0; exit 0; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed: other hosts' gateway leases were not cleared" >&2; echo 0; exit 0; }
[ "$(sqlite3 -batch "$db" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='state_leases'")" = 1 ] || { echo 0; exit 0; }
h=$(uname -n | sed "s/'/''/g")
sqlite3 -batch "$db" "DELETE FROM state_leases WHERE json_extract(payload_json, '$.owner.host') IS NOT NULL AND json_extract(payload_json, '$.owner.host') <> '$h'; SELECT changes();"`;

export function parseChownCounts(stdout: string): { owners: number; groups: number } {
  const [a, b] = stdout.trim().split(/\s+/).map(Number);
  return { owners: a ?? 0, groups: b ?? 0 };
}

export interface Adopted {
  reowned: { owners: number; groups: number };
  foreignLeasesCleared: number;
}

/**
 * Ownership by name, run on the restored state while it still sits in root's scratch (`at`, which
 * no other user can reach), so the walk cannot be raced by the service user's processes.
 */
export async function reownRestoredState(ex: Executor, inst: ResolvedInstance, at: string): Promise<Adopted['reowned']> {
  const tmp = `${at}${serviceTmpDir(inst).slice(inst.stateDir.length)}`;
  const r = await ex.run(['sh', '-c', CHOWN_BY_NAME, 'chown-by-name', at, inst.user, tmp], { timeoutMs: 600_000 });
  return parseChownCounts(r.stdout);
}

/** The other hosts' gateway leases removed from the state in place (as the service user). */
export async function clearForeignLeases(ex: Executor, inst: ResolvedInstance): Promise<number> {
  const leases = await ex.run(['sh', '-c', CLEAR_FOREIGN_LEASES, 'clear-leases', inst.stateDir], { user: inst.user, timeoutMs: 120_000 });
  return Number(leases.stdout.trim().split('\n').pop()) || 0;
}
