/**
 * The lock-out guard, like iptables-apply: before a firewall change the current rules are saved on
 * the target and an automatic revert is armed there; only a confirmation that arrives over a NEW
 * connection (the management path the operator will use next) disarms it. If the change cut that
 * path, the confirmation cannot arrive and the previous rules come back after the timeout.
 *
 * The revert runs on the target, independent of clawops and of the connection that armed it:
 * a transient systemd timer (`systemd-run --on-active`, outside the SSH session's cgroup, so logind
 * cannot kill it with the session) where systemd is PID 1, else a `setsid` process with a pidfile.
 * Who wins between confirm and revert is decided by one atomic rename of the `armed` marker.
 */
import { randomBytes } from 'node:crypto';
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';

/** Files a ufw change rewrites; restored in place (cat >), which also works on bind mounts. */
export const UFW_FILES = [
  '/etc/default/ufw',
  '/etc/ufw/ufw.conf',
  '/etc/ufw/user.rules',
  '/etc/ufw/user6.rules',
] as const;

export type OpenConfirmConnection = (ex: Executor) => Promise<Executor>;

export interface GuardOptions {
  /** where guard snapshots live on the target, e.g. /var/lib/clawops/firewall-guard */
  dir: string;
  timeoutSec: number;
  /** files restored on revert besides the iptables filter tables */
  files: readonly string[];
  /** a fresh connection to the target through the management path (not a multiplexed one) */
  openConfirmConnection: OpenConfirmConnection;
  /** how long the confirmation may take (default: half the timeout, at most 20 s) */
  confirmTimeoutMs?: number;
}

export interface ArmedGuard {
  id: string;
  dir: string;
  mechanism: 'systemd' | 'setsid';
  /** epoch seconds on the target when the revert fires */
  deadline: number;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script the timer runs: `revert.sh SECONDS` sleeps, then restores unless confirmed. */
export function revertScript(dir: string, files: readonly string[]): string {
  const restores = files.map(
    (f, i) => `if [ -f "$d/files/${i}" ]; then cat "$d/files/${i}" > ${q(f)}; fi`,
  );
  return [
    '#!/bin/sh',
    '# clawops-fw-guard: restore the firewall saved before a change unless it was confirmed',
    `d=${q(dir)}`,
    'echo $$ > "$d/pid"',
    'sleep "${1:-0}"',
    'mv "$d/armed" "$d/reverting" 2>/dev/null || exit 0',
    ...restores,
    'iptables-restore -w < "$d/iptables.v4"',
    'if [ -s "$d/iptables.v6" ]; then ip6tables-restore -w < "$d/iptables.v6" || true; fi',
    'date +%s.%N > "$d/reverted-at"',
    'mv "$d/reverting" "$d/reverted"',
    '',
  ].join('\n');
}

// $1 dir, $2 base dir, $3 timeout, $4 unit name, $5.. files. Prints "<mechanism> <deadline>".
const ARM_SCRIPT = `set -eu
d=$1; base=$2; t=$3; unit=$4; shift 4
now=$(date +%s)
for a in "$base"/*/armed; do
  [ -e "$a" ] || continue
  dl=$(cat "$(dirname "$a")/deadline" 2>/dev/null || echo 0)
  if [ "$now" -le $((dl + 30)) ]; then echo "pending $dl"; exit 4; fi
  rm -rf "$(dirname "$a")"
done
umask 077
mkdir -p "$d/files"
iptables-save -t filter > "$d/iptables.v4"
if command -v ip6tables-save >/dev/null 2>&1; then ip6tables-save -t filter > "$d/iptables.v6" 2>/dev/null || :; fi
i=0
for f in "$@"; do
  if [ -f "$f" ]; then cp -p "$f" "$d/files/$i"; fi
  i=$((i + 1))
done
echo $((now + t)) > "$d/deadline"
: > "$d/armed"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  systemd-run --quiet --collect --unit "$unit" --on-active="$t" --timer-property=AccuracySec=100ms /bin/sh "$d/revert.sh" 0
  echo "systemd $((now + t))"
else
  setsid -f /bin/sh "$d/revert.sh" "$t" </dev/null >"$d/log" 2>&1
  echo "setsid $((now + t))"
fi`;

// $1 dir, $2 unit name. Exit 3 when the revert already won.
const CONFIRM_SCRIPT = `d=$1; unit=$2
mv "$d/armed" "$d/confirmed" 2>/dev/null || exit 3
if [ -d /run/systemd/system ]; then systemctl stop "$unit.timer" "$unit.service" 2>/dev/null || :; fi
p=$(cat "$d/pid" 2>/dev/null || :)
if [ -n "$p" ] && tr '\\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF "$d/revert.sh"; then kill -TERM -- "-$p" 2>/dev/null || :; fi
rm -rf "$d"`;

export function guardUnitName(id: string): string {
  return `clawops-fw-guard-${id}`;
}

/** Save the rules and arm the revert on the target. */
export async function armGuard(ex: Executor, opts: GuardOptions): Promise<ArmedGuard> {
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dir = `${opts.dir}/${id}`;
  await ex.run(['mkdir', '-p', '-m', '0700', dir]);
  await ex.writeFile(`${dir}/revert.sh`, revertScript(dir, opts.files), { mode: 0o700 });
  const r = await ex.run(['sh', '-c', ARM_SCRIPT, 'sh', dir, opts.dir, String(opts.timeoutSec), guardUnitName(id), ...opts.files], {
    allowFailure: true,
  });
  const [word, dl] = r.stdout.trim().split(/\s+/);
  if (r.exitCode === 4) {
    await ex.run(['rm', '-rf', dir]);
    throw new ClawopsError('an earlier firewall change on this host is still waiting for confirmation or revert', {
      hint: `wait until it is reverted (deadline ${new Date(Number(dl) * 1000).toISOString()}) and re-run`,
    });
  }
  if (r.exitCode !== 0 || (word !== 'systemd' && word !== 'setsid')) {
    await ex.run(['rm', '-rf', dir], { allowFailure: true });
    throw new ClawopsError(`could not arm the firewall revert on ${ex.target}: ${r.stderr.trim().split('\n').pop() ?? ''}`, {
      hint: 'check that iptables-save and setsid (or systemd-run) exist on the target',
    });
  }
  return { id, dir, mechanism: word, deadline: Number(dl) };
}

/** Disarm over a new connection. Throws when the connection fails or the revert already ran. */
export async function confirmGuard(ex: Executor, g: ArmedGuard, opts: GuardOptions): Promise<void> {
  const timeoutMs = opts.confirmTimeoutMs ?? Math.min(20_000, (opts.timeoutSec * 1000) / 2);
  const fresh = await opts.openConfirmConnection(ex);
  try {
    const r = await fresh.run(['sh', '-c', CONFIRM_SCRIPT, 'sh', g.dir, guardUnitName(g.id)], {
      timeoutMs,
      allowFailure: true,
    });
    if (r.exitCode === 3) throw new Error('the automatic revert already ran');
    if (r.exitCode !== 0) throw new Error(r.timedOut ? `no answer within ${timeoutMs} ms` : r.stderr.trim() || `exit ${r.exitCode}`);
  } finally {
    await fresh.close();
  }
}

/** Restore now (after a change failed half-way), over the connection that made it. */
export async function revertNow(ex: Executor, g: ArmedGuard): Promise<void> {
  await ex.run(['sh', `${g.dir}/revert.sh`, '0']);
}

/**
 * Apply `change` under the guard: arm, change, confirm over a new connection. A change that fails
 * is reverted at once; a change that cannot be confirmed is reverted by the target at the deadline.
 */
export async function withGuard<T>(ex: Executor, opts: GuardOptions, what: string, change: () => Promise<T>): Promise<T> {
  const g = await armGuard(ex, opts);
  let result: T;
  try {
    result = await change();
  } catch (err) {
    await revertNow(ex, g).catch(() => undefined);
    throw err;
  }
  try {
    await confirmGuard(ex, g, opts);
  } catch (cause) {
    const at = new Date(g.deadline * 1000).toISOString();
    throw new ClawopsError(
      `firewall change "${what}" was not confirmed over a new connection; the previous rules come back at ${at}`,
      {
        cause,
        hint: 'the change probably cuts the management path: check firewall.managementInterfaces and that you connect through one of them',
      },
    );
  }
  return result;
}
